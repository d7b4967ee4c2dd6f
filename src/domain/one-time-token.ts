import { createHash, randomBytes } from 'node:crypto';

export type TokenPurpose = 'verify-email' | 'reset-password' | 'change-email';

/** 256 bits from the CSPRNG, URL-safe. Only its hash is ever stored. */
export function newOneTimeToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,200}$/;

/** Whether a client's string can be a token we issued (base64url); anything else is refused unread. */
export function looksLikeOneTimeToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}
