/** A login: one refresh-token chain. Its access tokens carry its id and die with it. */
export interface Session {
  id: string;
  userId: string;
  /** Id of the only refresh token of this session that may still be used. */
  refreshJti: string;
  createdAt: Date;
  /** When an access or refresh token of the session was last used (at most a minute behind). */
  lastUsedAt: Date;
  /** The User-Agent of the login that opened it (cleaned, bounded); null when none was sent. */
  userAgent: string | null;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** A session's activity moves on at most this often: recording every request would be a write per request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

export interface SessionRepository {
  /** Created and last used at `createdAt` (the database's clock when absent). */
  create(session: { userId: string; refreshJti: string; expiresAt: Date; userAgent?: string | null; createdAt?: Date }): Promise<Session>;
  /** Null when absent or when the id is not well-formed. */
  findById(id: string): Promise<Session | null>;
  /**
   * Atomically moves a live session from `fromJti` to `toJti`. False when the session no longer holds
   * `fromJti` (a replayed or concurrently used refresh token) or is revoked.
   */
  rotate(id: string, fromJti: string, toJti: string, expiresAt: Date, at?: Date): Promise<boolean>;
  revoke(id: string, at: Date): Promise<void>;
  /** Revokes the user's live sessions, all but `exceptId` when given; returns the ids it revoked. */
  revokeAllForUser(userId: string, at: Date, exceptId?: string): Promise<string[]>;
  /** Revokes that session if it is the user's and live at `at`; false otherwise (absent, another user's, ended). */
  revokeForUser(userId: string, id: string, at: Date): Promise<boolean>;
  /** Every session stored for the user, ended ones included, newest first (ties by id). */
  listAllForUser(userId: string): Promise<Session[]>;
  /** The user's sessions that are neither revoked nor expired at `now`, newest first (ties by id). */
  listLive(userId: string, now: Date): Promise<Session[]>;
  /**
   * Records a use at `at`, in one conditional write that changes nothing when the recorded use is
   * less than SESSION_TOUCH_INTERVAL_MS older (so concurrent callers write at most once a minute).
   * Resolves the last use recorded after the call; null when the session is absent.
   */
  touch(id: string, at: Date): Promise<Date | null>;
}
