import type { TokenPurpose } from '../../domain/one-time-token.js';

export interface OneTimeTokenRecord {
  id: string;
  userId: string;
  purpose: TokenPurpose;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  /** The address an email-change token confirms; null for other purposes. */
  newEmail: string | null;
}

/** Emailed single-purpose tokens, stored only as hashes. */
export interface NewOneTimeToken {
  userId: string;
  purpose: TokenPurpose;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** The address an email-change token confirms. */
  newEmail?: string;
}

export interface OneTimeTokenRepository {
  create(token: NewOneTimeToken): Promise<void>;
  /**
   * Creates the token unless one of that purpose went to the same address after `since`; false then.
   * The address is the user's, except for a token that carries `newEmail`: then it is that address
   * (compared case-insensitively), whichever user asked for it. One atomic step: of concurrent calls
   * for one address and purpose, exactly one creates.
   */
  createUnlessIssuedSince(token: NewOneTimeToken, since: Date): Promise<boolean>;
  /** Null when no token of that purpose has that hash (used or expired ones are still returned). */
  findByHash(purpose: TokenPurpose, tokenHash: string): Promise<OneTimeTokenRecord | null>;
  /** Marks the token used; false when it was already used (so two concurrent uses cannot both win). */
  consume(id: string, at: Date): Promise<boolean>;
  /** Undoes `consume(id, at)` when what the token was claimed for failed, so the link works again. */
  release(id: string, consumedAt: Date): Promise<void>;
  /** Marks every unused token of that purpose for the user as used. */
  consumeAllForUser(userId: string, purpose: TokenPurpose, at: Date): Promise<void>;
  /** When the newest token of that purpose was issued to the user; null if never. */
  lastIssuedAt(userId: string, purpose: TokenPurpose): Promise<Date | null>;
}
