import type { AuthUser } from '../../domain/user.js';

export interface CachedAuth {
  /** Null on a miss. */
  user: AuthUser | null;
  /** Whether the session is live; null on a miss. */
  sessionActive: boolean | null;
}

/**
 * What authentication needs on every request, kept close. A miss is always allowed: callers fall
 * back to the database. Implementations never throw for an unreachable backend; they miss instead.
 */
export interface UserCache {
  get(userId: string, sessionId: string): Promise<CachedAuth>;
  putUser(user: AuthUser): Promise<void>;
  putSession(sessionId: string, active: boolean): Promise<void>;
  evictUser(userId: string): Promise<void>;
  evictSession(sessionId: string): Promise<void>;
}
