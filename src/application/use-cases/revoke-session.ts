import { NotFound } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';

export interface RevokeSessionDeps {
  repos: Pick<Repositories, 'sessions'>;
  cache: UserCache;
  clock: Clock;
}

/**
 * Ends one of the caller's sessions (the calling one too, like a logout): its access and refresh
 * tokens are refused from the next request on, on every instance. Another user's session, an
 * ended one and an unknown id are all NotFound.
 */
export function makeRevokeSession(deps: RevokeSessionDeps) {
  return async function revokeSession(caller: { userId: string }, sessionId: string): Promise<void> {
    if (!(await deps.repos.sessions.revokeForUser(caller.userId, sessionId, deps.clock.now()))) throw new NotFound('session');
    await deps.cache.evictSession(sessionId);
  };
}
