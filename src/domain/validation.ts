import type { FieldErrors } from './errors.js';

// Deliberately permissive: one @, no spaces, a dot in the domain. Deliverability is proven by the
// verification email, not by a regular expression.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Reads a required string field; records an error and returns undefined when it is not one. */
export function requiredString(errors: FieldErrors, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') {
    errors.add(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string');
    return undefined;
  }
  return value;
}

export function checkEmail(errors: FieldErrors, field: string, value: unknown): string | undefined {
  const raw = requiredString(errors, field, value);
  if (raw === undefined) return undefined;
  const email = raw.trim();
  if (email.length > 254 || !EMAIL.test(email)) {
    errors.add(field, 'must be a valid email address');
    return undefined;
  }
  return email;
}

/** Trimmed text of 1..max characters (code points), without control characters. */
export function checkText(errors: FieldErrors, field: string, value: unknown, max: number): string | undefined {
  const raw = requiredString(errors, field, value);
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const length = [...text].length;
  if (length < 1 || length > max) {
    errors.add(field, `must be 1 to ${max} characters`);
    return undefined;
  }
  if (CONTROL.test(text)) {
    errors.add(field, 'must not contain control characters');
    return undefined;
  }
  return text;
}

/** Emails are unique and looked up without regard to case. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
