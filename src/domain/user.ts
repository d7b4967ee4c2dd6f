import { createHash } from 'node:crypto';
import { FieldErrors } from './errors.js';
import { checkPassword } from './password-policy.js';
import { checkEmail, checkText } from './validation.js';

export interface User {
  id: string;
  username: string;
  email: string;
  emailVerified: boolean;
  avatarUrl: string;
  passwordHash: string;
  /** Bumped when every session must end at once (password reset); access tokens carry it. */
  tokenVersion: number;
  createdAt: Date;
}

/** What a client sees of a user, and what authentication keeps in cache: no hash, no tokens. */
export interface PublicUser {
  id: string;
  username: string;
  email: string;
  emailVerified: boolean;
  avatarUrl: string;
  createdAt: Date;
}

/** The user as authentication needs it on every request. */
export interface AuthUser extends PublicUser {
  tokenVersion: number;
}

export function toPublicUser(user: PublicUser): PublicUser {
  const { id, username, email, emailVerified, avatarUrl, createdAt } = user;
  return { id, username, email, emailVerified, avatarUrl, createdAt };
}

export function toAuthUser(user: User): AuthUser {
  return { ...toPublicUser(user), tokenVersion: user.tokenVersion };
}

export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

export const USERNAME_MAX = 50;

export function validateSignup(input: { username?: unknown; email?: unknown; password?: unknown }): SignupInput {
  const errors = new FieldErrors();
  const username = checkText(errors, 'username', input.username, USERNAME_MAX);
  const email = checkEmail(errors, 'email', input.email);
  const password = checkPassword(errors, 'password', input.password);
  errors.throwIfAny();
  return { username: username!, email: email!, password: password! };
}

/** Until a user uploads an avatar, an identicon derived from the email keeps the link working. */
export function defaultAvatarUrl(email: string): string {
  const hash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?d=identicon`;
}
