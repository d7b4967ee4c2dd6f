import { FieldErrors } from './errors.js';
import { checkEmail, checkText, hasControlCharacters } from './validation.js';

/** What a client may set on a contact. Every field but `firstName` is optional. */
export interface ContactFields {
  firstName: string;
  /** `""` when the contact has none. */
  lastName: string;
  email: string | null;
  phone: string | null;
  /** A calendar date `YYYY-MM-DD`, or a day without a year `--MM-DD` (vCard's form). */
  birthday: string | null;
  notes: string | null;
}

export interface Contact extends ContactFields {
  id: string;
  /** The user whose book holds the contact; never shown to clients. */
  userId: string;
  /** 1 at creation, one more on every change: the contact's strong ETag, and what `If-Match` compares. */
  version: number;
  /**
   * Instants in the form clients see them: ISO 8601 in UTC with milliseconds
   * (`2026-11-24T20:24:21.123Z`), which sorts like the instants themselves. Kept as text, like
   * `birthday`: the database writes this form, so a read never parses a timestamp into a Date
   * only for the response to format it back (that was a tenth of the CPU of a page of contacts).
   */
  createdAt: string;
  updatedAt: string;
}

/** What a client sees of a contact. */
export type ContactView = Omit<Contact, 'userId' | 'version'>;

/** A contact as one response shows it, with the version its ETag is made of. */
export interface VersionedContact {
  contact: ContactView;
  version: number;
}

export function toVersionedContact(contact: Contact): VersionedContact {
  return { contact: toContactView(contact), version: contact.version };
}

export function toContactView(contact: Contact): ContactView {
  const { id, firstName, lastName, email, phone, birthday, notes, createdAt, updatedAt } = contact;
  return { id, firstName, lastName, email, phone, birthday, notes, createdAt, updatedAt };
}

export const NAME_MAX = 50;
export const NOTES_MAX = 2000;
export const EARLIEST_BIRTHDAY = '1900-01-01';

export const PHONE_MIN = 5;
export const PHONE_MAX = 30;
const PHONE = new RegExp(`^[0-9 +\\-()]{${PHONE_MIN},${PHONE_MAX}}$`);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_WITHOUT_YEAR = /^--(\d{2})-(\d{2})$/;

/** Absent, null or blank is null; anything else must be a string. */
function optionalString(errors: FieldErrors, field: string, value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string or null');
    return undefined;
  }
  return value.trim() === '' ? null : value;
}

function checkPhone(errors: FieldErrors, field: string, value: unknown): string | null | undefined {
  const raw = optionalString(errors, field, value);
  if (raw === undefined || raw === null) return raw;
  const phone = raw.trim();
  if (!PHONE.test(phone) || !/\d/.test(phone)) {
    errors.add(field, `must be ${PHONE_MIN} to ${PHONE_MAX} characters of digits, spaces and + - ( )`);
    return undefined;
  }
  return phone;
}

/**
 * A real calendar date written `YYYY-MM-DD`, from 1900-01-01 through `today` (UTC), or a real day
 * of the year without one written `--MM-DD` (29 February included).
 */
function checkBirthday(errors: FieldErrors, field: string, value: unknown, today: string): string | null | undefined {
  const raw = optionalString(errors, field, value);
  if (raw === undefined || raw === null) return raw;
  const dayOnly = DAY_WITHOUT_YEAR.exec(raw);
  if (dayOnly) {
    const [month, day] = [Number(dayOnly[1]), Number(dayOnly[2])];
    // 2000 is a leap year, so 29 February is a real day here.
    const date = new Date(Date.UTC(2000, month - 1, day));
    if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      errors.add(field, 'must be a real day of the year');
      return undefined;
    }
    return raw;
  }
  const match = DATE.exec(raw);
  if (!match) {
    errors.add(field, 'must be a date written YYYY-MM-DD, or --MM-DD when the year is unknown');
    return undefined;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    errors.add(field, 'must be a real calendar date');
    return undefined;
  }
  if (raw > today) {
    errors.add(field, 'must not be in the future');
    return undefined;
  }
  if (raw < EARLIEST_BIRTHDAY) {
    errors.add(field, `must not be before ${EARLIEST_BIRTHDAY}`);
    return undefined;
  }
  return raw;
}

/** Optional free text; absent, null or blank is null. */
function checkNotes(errors: FieldErrors, field: string, value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string or null');
    return undefined;
  }
  const notes = value.trim();
  if (notes.length > NOTES_MAX * 2 || [...notes].length > NOTES_MAX) {
    errors.add(field, `must be at most ${NOTES_MAX} characters`);
    return undefined;
  }
  // Notes may span lines; other control characters have no business in them.
  if (hasControlCharacters(notes, { allowLineBreaks: true })) {
    errors.add(field, 'must not contain control characters other than line breaks and tabs');
    return undefined;
  }
  return notes === '' ? null : notes;
}

/** A contact as a client sent it: any of the fields, unchecked; other keys (id, owner) are ignored. */
export type ContactInput = { readonly [K in keyof ContactFields]?: unknown } & Record<string, unknown>;

type Checker = (errors: FieldErrors, field: string, value: unknown, today: string) => string | null | undefined;

/** Optional text of 0..max characters; absent or null is `""`. */
function checkOptionalName(errors: FieldErrors, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' && value.trim() === '') return '';
  return checkText(errors, field, value, NAME_MAX);
}

function checkOptionalEmail(errors: FieldErrors, field: string, value: unknown): string | null | undefined {
  const raw = optionalString(errors, field, value);
  if (raw === undefined || raw === null) return raw;
  return checkEmail(errors, field, raw);
}

const CHECKS: Record<keyof ContactFields, Checker> = {
  firstName: (errors, field, value) => checkText(errors, field, value, NAME_MAX),
  lastName: checkOptionalName,
  email: checkOptionalEmail,
  phone: checkPhone,
  birthday: checkBirthday,
  notes: checkNotes,
};
const FIELDS = Object.keys(CHECKS) as (keyof ContactFields)[];

/**
 * Every field of a contact, as for a creation or a full replacement (an absent optional field is
 * null, an absent `lastName` is `""`).
 * Other keys of the input (id, owner, timestamps) are ignored. `today` is `YYYY-MM-DD` in UTC.
 */
export function validateContact(input: ContactInput, today: string): ContactFields {
  const errors = new FieldErrors();
  const fields: Record<string, unknown> = {};
  for (const field of FIELDS) fields[field] = CHECKS[field](errors, field, input[field], today);
  errors.throwIfAny();
  return fields as unknown as ContactFields;
}

/** Only the fields present in the input; `null` clears an optional field (`lastName` becomes `""`). */
export function validateContactPatch(input: ContactInput, today: string): Partial<ContactFields> {
  const errors = new FieldErrors();
  const fields: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (input[field] === undefined) continue;
    fields[field] = CHECKS[field](errors, field, input[field], today);
  }
  errors.throwIfAny();
  return fields as Partial<ContactFields>;
}

export interface ContactQuery {
  /** Case-insensitive substring of the first name, last name or email. */
  q?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
export const DEFAULT_BIRTHDAY_DAYS = 7;
export const MAX_BIRTHDAY_DAYS = 366;
const SEARCH_MAX = 100;

/** A whole number within bounds; the default when absent. (The HTTP adapter reads it from the query string.) */
function checkInteger(errors: FieldErrors, field: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = value;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    errors.add(field, `must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

function checkSearch(errors: FieldErrors, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    errors.add(field, 'must be given once, as text');
    return undefined;
  }
  const text = value.trim();
  if (text.length > SEARCH_MAX * 2 || [...text].length > SEARCH_MAX) {
    errors.add(field, `must be at most ${SEARCH_MAX} characters`);
    return undefined;
  }
  if (hasControlCharacters(text)) {
    errors.add(field, 'must not contain control characters');
    return undefined;
  }
  return text === '' ? undefined : text;
}

/** Search and paging parameters as a client gave them: the texts unchecked, the numbers already read (NaN when unreadable). */
export interface ContactQueryInput {
  q?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  email?: unknown;
  limit?: number;
  offset?: number;
}

/** Search and paging parameters. */
export function validateContactQuery(input: ContactQueryInput): ContactQuery {
  const errors = new FieldErrors();
  const query: ContactQuery = {
    limit: checkInteger(errors, 'limit', input.limit, 1, MAX_LIMIT, DEFAULT_LIMIT),
    offset: checkInteger(errors, 'offset', input.offset, 0, Number.MAX_SAFE_INTEGER, 0),
  };
  for (const field of ['q', 'firstName', 'lastName', 'email'] as const) {
    const text = checkSearch(errors, field, input[field]);
    if (text !== undefined) query[field] = text;
  }
  errors.throwIfAny();
  return query;
}

/** How many days ahead to look for birthdays: 0 (today only) to 366. */
export function validateBirthdayWindow(input: { days?: number }): number {
  const errors = new FieldErrors();
  const days = checkInteger(errors, 'days', input.days, 0, MAX_BIRTHDAY_DAYS, DEFAULT_BIRTHDAY_DAYS);
  errors.throwIfAny();
  return days;
}
