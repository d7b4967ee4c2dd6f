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
 *
 * Fills race with revocations: a request reads the database, then writes what it read. So writes
 * can only move towards "revoked": a session once ended is never made live again, and a user's
 * token version is never lowered, each check and write being one atomic step in the cache (a
 * compare-and-set). A floor left by an eviction lasts as long as an entry would (the TTL).
 *
 * It only keeps: counting requests is Admission's, which reads these same entries (and a miss of
 * `Admission.admit` is followed by fills here, as a miss of `get` is).
 */
export interface UserCache {
  /** The user and the session together (one round trip for a remote cache). */
  get(userId: string, sessionId: string): Promise<CachedAuth>;
  /**
   * Keeps only the fields of AuthUser, whatever else the object carries. Not written when the
   * cache holds a higher `tokenVersion` for the user, in an entry or left by evictUser: a request
   * that read the user before a password change cannot bring the old version back.
   */
  putUser(user: AuthUser): Promise<void>;
  /** `true` never overrides an earlier evictSession: a revoked session cannot be made live again. */
  putSession(sessionId: string, active: boolean): Promise<void>;
  /**
   * The user changed: the next get misses. The evicted entry's token version stays as a floor for
   * putUser; pass `tokenVersion`, the version after a change that revoked the older ones (a new
   * password), to make it the floor even when nothing was cached.
   */
  evictUser(userId: string, tokenVersion?: number): Promise<void>;
  /** The session ended: from now on the cache answers `false` or a miss for it, never `true`. */
  evictSession(sessionId: string): Promise<void>;
}
