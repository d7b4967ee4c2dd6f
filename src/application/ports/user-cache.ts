import type { AuthUser } from '../../domain/user.js';
import type { LimitDecision, UserLimit } from './user-rate-limiter.js';

export interface CachedAuth {
  /** Null on a miss. */
  user: AuthUser | null;
  /** Whether the session is live; null on a miss. */
  sessionActive: boolean | null;
  /**
   * Set when the cache also counted the request against the limits asked for (see `get`); absent
   * when it did not, and then the caller counts elsewhere.
   */
  limits?: LimitDecision[];
}

/** Counting a request in the same step as reading its user and session (see `get`). */
export interface CountRequest {
  /** The token's version: only a request whose user is cached with it is counted. */
  tokenVersion: number;
  limits: readonly UserLimit[];
}

/**
 * What authentication needs on every request, kept close. A miss is always allowed: callers fall
 * back to the database. Implementations never throw for an unreachable backend; they miss instead,
 * and they never answer from entries that may have missed an eviction (they miss until resynchronised).
 */
export interface UserCache {
  /**
   * The user and the session together (one round trip for a remote cache). With `count`, a cache
   * that keeps rate-limit budgets beside the users may, when the user is cached with that token
   * version and the session is live, count the request against `count.limits` in that same round
   * trip and answer the decisions in `limits` (the limits of UserRateLimiter.take). A cache that
   * does not (the in-process one) ignores `count`.
   */
  get(userId: string, sessionId: string, count?: CountRequest): Promise<CachedAuth>;
  /** Keeps only the fields of AuthUser, whatever else the object carries. */
  putUser(user: AuthUser): Promise<void>;
  /** `true` never overrides an earlier evictSession: a revoked session cannot be made live again. */
  putSession(sessionId: string, active: boolean): Promise<void>;
  evictUser(userId: string): Promise<void>;
  /** The session ended: from now on the cache answers `false` or a miss for it, never `true`. */
  evictSession(sessionId: string): Promise<void>;
}
