import { Unauthenticated } from '../../domain/user.errors.js';
import { toAuthUser, type AuthUser } from '../../domain/user.js';
import type { Clock } from '../ports/clock.js';
import type { TokenService } from '../ports/token-service.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import type { LimitDecision, UserLimit } from '../ports/user-rate-limiter.js';
import { makeSessionActivity } from '../shared/session-activity.js';

export interface Caller {
  user: AuthUser;
  sessionId: string;
  /** The limits the cache counted this request against while authenticating it, if it did. */
  limits?: LimitDecision[];
}

export interface AuthenticateDeps {
  repos: Pick<Repositories, 'users' | 'sessions'>;
  tokens: TokenService;
  cache: UserCache;
  clock: Clock;
}

/**
 * Turns an access token into the calling user. The cache answers the common case; on a miss the
 * database does and the cache is filled. A token is refused once its session is revoked or the
 * user's token version has moved on (password reset). `countAgainst`: per-user limits the cache may
 * count the request against in the same lookup (one round trip); what it counted is in `limits`.
 */
export function makeAuthenticate(deps: AuthenticateDeps) {
  const sessionUsed = makeSessionActivity(deps.repos.sessions);
  return async function authenticate(accessToken: string, countAgainst?: readonly UserLimit[]): Promise<Caller> {
    const claims = deps.tokens.verifyAccess(accessToken);
    if (!claims) throw new Unauthenticated();

    const count = countAgainst?.length ? { tokenVersion: claims.tokenVersion, limits: countAgainst } : undefined;
    const cached = await deps.cache.get(claims.userId, claims.sessionId, count);
    if (cached.sessionActive === false) throw new Unauthenticated();
    let user = cached.user;
    if (!user) {
      const stored = await deps.repos.users.findById(claims.userId);
      if (!stored) throw new Unauthenticated();
      user = toAuthUser(stored);
      await deps.cache.putUser(user);
    }
    let active: boolean | null = cached.sessionActive;
    if (active === null) {
      const session = await deps.repos.sessions.findById(claims.sessionId);
      active = !!session && session.userId === claims.userId && !session.revokedAt && session.expiresAt > deps.clock.now();
      await deps.cache.putSession(claims.sessionId, active);
    }
    if (!active || user.tokenVersion !== claims.tokenVersion) throw new Unauthenticated();
    sessionUsed(claims.sessionId, deps.clock.now(), claims.issuedAtS);
    return cached.limits ? { user, sessionId: claims.sessionId, limits: cached.limits } : { user, sessionId: claims.sessionId };
  };
}
