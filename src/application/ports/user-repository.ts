import type { User } from '../../domain/user.js';

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  avatarUrl: string;
}

/** Users, looked up by id or by email (case-insensitive). Every lookup returns null when absent. */
export interface UserRepository {
  /** Throws EmailTaken when another user has the same email, whatever its case. */
  create(user: NewUser): Promise<User>;
  /** Null also for an id that is not well-formed. */
  findById(id: string): Promise<User | null>;
  /**
   * `lock`: inside a unit of work, holds the user's row until it ends, so that a concurrent switch of
   * the email waits for it, or, having committed first, makes the old address find nothing.
   */
  findByEmail(email: string, options?: { lock?: boolean }): Promise<User | null>;
  markEmailVerified(id: string): Promise<User | null>;
  /** Stores the new hash and bumps tokenVersion, so every access token issued before is refused. */
  setPassword(id: string, passwordHash: string): Promise<User | null>;
  setAvatarUrl(id: string, avatarUrl: string): Promise<User | null>;
  setUsername(id: string, username: string): Promise<User | null>;
  /**
   * Switches to another email, verified. Throws EmailTaken when another user has it, whatever its
   * case: the unique index decides, so two concurrent switches to one address cannot both win.
   */
  setEmail(id: string, email: string): Promise<User | null>;
  /** Deletes the user and, with it, everything that refers to it (contacts, sessions, one-time tokens). False when absent. */
  delete(id: string): Promise<boolean>;
}
