import { Unauthenticated } from '../../domain/user.errors.js';
import { toAuthUser, type AuthUser } from '../../domain/user.js';
import type { Admission } from '../ports/admission.js';
import type { Clock } from '../ports/clock.js';
import type { TokenService } from '../ports/token-service.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import type { LimitDecision, UserLimit } from '../ports/user-rate-limiter.js';
import { makeSessionActivity } from '../shared/session-activity.js';

export interface Caller {
  user: AuthUser;
  sessionId: string;
  /**
   * What admission decided on the limits authentication was asked to count, by limit name: a
   * decision, or null when the limit was not counted (its store did not answer, or an earlier limit
   * refused the request). Absent when no limits were asked for.
   */
  decisions?: ReadonlyMap<string, LimitDecision | null>;
}

export interface AuthenticateDeps {
  repos: Pick<Repositories, 'users' | 'sessions'>;
  tokens: TokenService;
  admission: Admission;
  cache: UserCache;
  clock: Clock;
}

/**
 * Turns an access token into the calling user, counted against `limits`. Admission answers the
 * common case in one step; on a miss the database does, the cache is filled and the request is
 * counted then. A token is refused once its session is revoked or the user's token version has
 * moved on (password reset); a refused request spends no limit.
 */
export function makeAuthenticate(deps: AuthenticateDeps) {
  const sessionUsed = makeSessionActivity(deps.repos.sessions);
  return async function authenticate(accessToken: string, limits: readonly UserLimit[] = []): Promise<Caller> {
    const claims = deps.tokens.verifyAccess(accessToken);
    if (!claims) throw new Unauthenticated();

    const admitted = await deps.admission.admit(claims, limits);
    if (admitted.sessionActive === false) throw new Unauthenticated();
    let user = admitted.user;
    if (!user) {
      const stored = await deps.repos.users.findById(claims.userId);
      if (!stored) throw new Unauthenticated();
      user = toAuthUser(stored);
      await deps.cache.putUser(user);
    }
    let active: boolean | null = admitted.sessionActive;
    if (active === null) {
      const session = await deps.repos.sessions.findById(claims.sessionId);
      active = !!session && session.userId === claims.userId && !session.revokedAt && session.expiresAt > deps.clock.now();
      await deps.cache.putSession(claims.sessionId, active);
    }
    if (!active || user.tokenVersion !== claims.tokenVersion) throw new Unauthenticated();
    sessionUsed(claims.sessionId, deps.clock.now(), claims.issuedAtS);
    if (limits.length === 0) return { user, sessionId: claims.sessionId };
    const decided = admitted.decisions ?? (await deps.admission.count(user.id, limits)) ?? [];
    const decisions = new Map<string, LimitDecision | null>(limits.map((limit) => [limit.name, null]));
    for (const decision of decided) decisions.set(decision.name, decision);
    return { user, sessionId: claims.sessionId, decisions };
  };
}
