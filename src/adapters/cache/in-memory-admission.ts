import type { Admission, Admitted, SessionClaims } from '../../application/ports/admission.js';
import type { UserCache } from '../../application/ports/user-cache.js';
import type { LimitDecision, UserLimit, UserRateLimiter } from '../../application/ports/user-rate-limiter.js';

/**
 * Admission in a single process (no REDIS_URL): the user cache's read, then the limiter's count
 * when what the cache holds admits the request. Two steps, but no round trip between them.
 */
export class InMemoryAdmission implements Admission {
  constructor(
    private readonly cache: UserCache,
    private readonly limiter: UserRateLimiter,
  ) {}

  async admit(claims: SessionClaims, limits: readonly UserLimit[]): Promise<Admitted> {
    const { user, sessionActive } = await this.cache.get(claims.userId, claims.sessionId);
    const admitted = sessionActive === true && user?.tokenVersion === claims.tokenVersion;
    const decisions = admitted && limits.length > 0 ? await this.limiter.take(claims.userId, limits) : null;
    return { user, sessionActive, decisions };
  }

  count(userId: string, limits: readonly UserLimit[]): Promise<LimitDecision[] | null> {
    return this.limiter.take(userId, limits);
  }
}
