import { randomUUID } from 'node:crypto';
import { InvalidRefreshToken } from '../../domain/user.errors.js';
import type { Clock } from '../ports/clock.js';
import type { TokenService } from '../ports/token-service.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import { issuePair, type TokenPair } from '../shared/token-pair.js';

export interface RefreshSessionDeps {
  repos: Pick<Repositories, 'users' | 'sessions'>;
  tokens: TokenService;
  cache: UserCache;
  clock: Clock;
}

/**
 * Trades a refresh token for a new pair. Each refresh token works once: presenting one that was
 * already traded means it leaked, so the whole session is revoked.
 */
export function makeRefreshSession(deps: RefreshSessionDeps) {
  return async function refreshSession(refreshToken: unknown): Promise<TokenPair> {
    const claims = typeof refreshToken === 'string' ? deps.tokens.verifyRefresh(refreshToken) : null;
    if (!claims) throw new InvalidRefreshToken();

    const now = deps.clock.now();
    const session = await deps.repos.sessions.findById(claims.sessionId);
    if (!session || session.userId !== claims.userId || session.revokedAt || session.expiresAt <= now) {
      throw new InvalidRefreshToken();
    }
    const nextJti = randomUUID();
    const expiresAt = new Date(now.getTime() + deps.tokens.refreshTtlSeconds * 1000);
    const rotated = session.refreshJti === claims.jti && (await deps.repos.sessions.rotate(session.id, claims.jti, nextJti, expiresAt, now));
    if (!rotated) {
      await deps.repos.sessions.revoke(session.id, now);
      await deps.cache.evictSession(session.id);
      throw new InvalidRefreshToken();
    }
    const user = await deps.repos.users.findById(session.userId);
    if (!user) throw new InvalidRefreshToken();
    return issuePair(deps.tokens, { userId: user.id, sessionId: session.id, tokenVersion: user.tokenVersion, jti: nextJti });
  };
}
