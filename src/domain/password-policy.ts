import { COMMON_PASSWORDS } from './common-passwords.js';
import type { FieldErrors } from './errors.js';
import { requiredString } from './validation.js';

export const PASSWORD_MIN_BYTES = 8;
/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

export function checkPassword(errors: FieldErrors, field: string, value: unknown): string | undefined {
  const password = requiredString(errors, field, value);
  if (password === undefined) return undefined;
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < PASSWORD_MIN_BYTES || bytes > PASSWORD_MAX_BYTES) {
    errors.add(field, `must be ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes of UTF-8`);
    return undefined;
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) {
    errors.add(field, 'is too common; choose a less guessable password');
    return undefined;
  }
  return password;
}
