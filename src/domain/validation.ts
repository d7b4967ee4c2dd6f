import type { FieldErrors } from './errors.js';

/** The longest address SMTP can carry (RFC 5321: a 256-octet path less its angle brackets). */
export const EMAIL_MAX = 254;
const LOCAL_PART_MAX = 64;

// A plain addr-spec and nothing else: a dot-atom local part, `@`, and a domain of two or more
// labels. RFC 5322 also allows display names, comments, quoted local parts and domain literals;
// none of them names a mailbox better, and each lets one string mean two addresses to two parsers
// (`x<victim@example.test>`). Letters, marks and digits of any script are allowed (RFC 6531).
// Whether the mailbox exists is proven by the verification email, not by this expression.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\p{L}\\p{M}\\p{N}]+";
const LABEL = '[\\p{L}\\p{M}\\p{N}](?:[\\p{L}\\p{M}\\p{N}\\-]{0,61}[\\p{L}\\p{M}\\p{N}])?';
const EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`, 'u');

// C0, DEL and C1 controls (NUL included: PostgreSQL refuses it in text).
const CONTROL = /\p{Cc}/u;
// The same, but for line breaks and tabs, which free text may hold.
const CONTROL_BUT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;

/** Whether a string holds a control character; `allowLineBreaks` lets \t, \n and \r through. */
export function hasControlCharacters(text: string, options: { allowLineBreaks?: boolean } = {}): boolean {
  return (options.allowLineBreaks ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(text);
}

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

/** Whether a (trimmed) string is a plain addr-spec this service accepts. */
export function isEmailAddress(email: string): boolean {
  if (email.length > EMAIL_MAX || !EMAIL.test(email)) return false;
  return email.lastIndexOf('@') <= LOCAL_PART_MAX;
}

/**
 * A required email address, trimmed: at most 254 characters, a plain addr-spec (no display name,
 * comment, quotes or second address). Checked before anything is looked up or counted.
 */
export function checkEmail(errors: FieldErrors, field: string, value: unknown): string | undefined {
  const raw = requiredString(errors, field, value);
  if (raw === undefined) return undefined;
  const email = raw.trim();
  if (email.length <= EMAIL_MAX && hasControlCharacters(email)) {
    errors.add(field, 'must not contain control characters');
    return undefined;
  }
  if (!isEmailAddress(email)) {
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
  // More than 2 × max UTF-16 units is more than max code points: no need to count a megabyte.
  const length = text.length > max * 2 ? Infinity : [...text].length;
  if (length < 1 || length > max) {
    errors.add(field, `must be 1 to ${max} characters`);
    return undefined;
  }
  if (hasControlCharacters(text)) {
    errors.add(field, 'must not contain control characters');
    return undefined;
  }
  return text;
}

/** Emails are unique and looked up without regard to case. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
