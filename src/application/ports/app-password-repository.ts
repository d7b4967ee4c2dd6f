/**
 * A password for one device's CardDAV sync. Only a digest of the secret is stored (see
 * docs/decisions/app-passwords.md); the secret itself is shown once, when it is created.
 */
export interface AppPassword {
  id: string;
  userId: string;
  /** What the owner called it ("Anna's iPhone"), 1–50 characters. */
  name: string;
  createdAt: Date;
  /** When it last let a DAV request in (at most APP_PASSWORD_TOUCH_INTERVAL_MS behind); null when never. */
  lastUsedAt: Date | null;
}

/** How many app passwords one account may hold at once. */
export const APP_PASSWORDS_MAX = 20;

/** An app password's last use moves on at most this often: recording every DAV request would be a write per request. */
export const APP_PASSWORD_TOUCH_INTERVAL_MS = 60_000;

export interface NewAppPassword {
  userId: string;
  name: string;
  /** The digest of the secret (hex SHA-256 of its canonical form): the lookup key, unique. */
  secretHash: string;
  createdAt: Date;
}

export interface AppPasswordRepository {
  /**
   * Stores it unless the user already holds `max` app passwords; null then. The count and the
   * insert are serialised per user, so concurrent creations cannot go past `max`.
   */
  create(entry: NewAppPassword, max: number): Promise<AppPassword | null>;
  /** The app password whose secret has this digest (one indexed lookup); null when none. */
  findBySecretHash(secretHash: string): Promise<AppPassword | null>;
  /** The user's app passwords, newest first (ties by id). */
  listForUser(userId: string): Promise<AppPassword[]>;
  /** Deletes it if it is the user's; false otherwise (absent, another user's, not a well-formed id). */
  deleteForUser(userId: string, id: string): Promise<boolean>;
  /** Deletes every app password of the user (password change or reset); returns how many. */
  deleteAllForUser(userId: string): Promise<number>;
  /**
   * Records a use at `at` in one conditional write that changes nothing when the recorded use is
   * less than APP_PASSWORD_TOUCH_INTERVAL_MS older (so concurrent requests write at most once a minute).
   */
  touch(id: string, at: Date): Promise<void>;
}
