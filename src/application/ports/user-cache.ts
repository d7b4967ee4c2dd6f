import type { AuthUser } from '../../domain/user.js';

export interface CachedAuth {
  /** Null on a miss. */
  user: AuthUser | null;
  /** Whether the session is live; null on a miss. */
  sessionActive: boolean | null;
}

/**
 * What authentication needs on every request, kept close. A miss is always allowed: callers fall
 * back to the database. Implementations never throw for an unreachable backend; they miss instead,
 * and they never answer from entries that may have missed an eviction (they miss until resynchronised).
 */
export interface UserCache {
  /** The user and the session together (one round trip for a remote cache). */
  get(userId: string, sessionId: string): Promise<CachedAuth>;
  /** Keeps only the fields of AuthUser, whatever else the object carries. */
  putUser(user: AuthUser): Promise<void>;
  /** `true` never overrides an earlier evictSession: a revoked session cannot be made live again. */
  putSession(sessionId: string, active: boolean): Promise<void>;
  evictUser(userId: string): Promise<void>;
  /** The session ended: from now on the cache answers `false` or a miss for it, never `true`. */
  evictSession(sessionId: string): Promise<void>;
}
