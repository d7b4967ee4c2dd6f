import type { AuthUser } from '../../domain/user.js';
import type { LimitDecision, UserLimit } from './user-rate-limiter.js';

/** What an access token says about its request: whose it is, under which session and token version. */
export interface SessionClaims {
  userId: string;
  sessionId: string;
  tokenVersion: number;
}

/** What admission knows about a request without the database. */
export interface Admitted {
  /** The cached user; null on a miss. */
  user: AuthUser | null;
  /** Whether the session is live; null on a miss. */
  sessionActive: boolean | null;
  /**
   * What counting the request against the limits decided, in their order, stopping at the first
   * refusal. Only a request admitted from what is kept (the user held at the claims' token version,
   * the session live) is counted here, so a refused token spends nothing; null when it was not
   * counted (a miss, a refusal, no limits, or a store that did not answer).
   */
  decisions: LimitDecision[] | null;
}

/**
 * The door of every authenticated request: is this session live, and may this user spend these
 * limits? Asked once per request, answered in one step (one round trip for a remote store).
 * Never throws for an unreachable backend: it misses (the caller asks the database) and counts
 * nothing (fail open). It never admits from entries that may have missed a revocation (see UserCache).
 */
export interface Admission {
  /** The kept user and session for `claims`, and, when they admit the request, the decisions on `limits`. */
  admit(claims: SessionClaims, limits: readonly UserLimit[]): Promise<Admitted>;
  /**
   * Counts a request that `admit` could not admit by itself and the database did, against the same
   * limits (UserRateLimiter.take); null when the store did not answer (fail open).
   */
  count(userId: string, limits: readonly UserLimit[]): Promise<LimitDecision[] | null>;
}
