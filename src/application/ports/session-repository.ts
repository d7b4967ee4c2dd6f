/** A login: one refresh-token chain. Its access tokens carry its id and die with it. */
export interface Session {
  id: string;
  userId: string;
  /** Id of the only refresh token of this session that may still be used. */
  refreshJti: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface SessionRepository {
  create(session: { userId: string; refreshJti: string; expiresAt: Date }): Promise<Session>;
  /** Null when absent or when the id is not well-formed. */
  findById(id: string): Promise<Session | null>;
  /**
   * Atomically moves a live session from `fromJti` to `toJti`. False when the session no longer holds
   * `fromJti` (a replayed or concurrently used refresh token) or is revoked.
   */
  rotate(id: string, fromJti: string, toJti: string, expiresAt: Date): Promise<boolean>;
  revoke(id: string, at: Date): Promise<void>;
  /** Revokes the user's live sessions, all but `exceptId` when given; returns the ids it revoked. */
  revokeAllForUser(userId: string, at: Date, exceptId?: string): Promise<string[]>;
}
