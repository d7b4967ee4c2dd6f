import type { Clock } from '../ports/clock.js';
import type { TokenService } from '../ports/token-service.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';

export interface LogOutDeps {
  repos: Pick<Repositories, 'sessions'>;
  tokens: TokenService;
  cache: UserCache;
  clock: Clock;
}

/**
 * Ends the caller's session: its refresh token and every access token issued for it stop working
 * on the next request. A refresh token of another of the caller's sessions ends that one too.
 */
export function makeLogOut(deps: LogOutDeps) {
  return async function logOut(caller: { userId: string; sessionId: string }, refreshToken: unknown): Promise<void> {
    const now = deps.clock.now();
    const sessionIds = new Set([caller.sessionId]);
    const claims = typeof refreshToken === 'string' ? deps.tokens.verifyRefresh(refreshToken) : null;
    if (claims && claims.userId === caller.userId) sessionIds.add(claims.sessionId);
    for (const id of sessionIds) {
      await deps.repos.sessions.revoke(id, now);
      await deps.cache.evictSession(id);
    }
  };
}
