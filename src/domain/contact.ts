import { FieldErrors, ValidationFailed } from './errors.js';
import { checkEmail, checkText, emailKey, hasControlCharacters } from './validation.js';

/** A typed entry of a list (an email, a phone, a URL): the value and its label (`home`, `work`, custom text…). */
export interface LabelledValue {
  value: string;
  label: string;
}

/** A postal address (vCard ADR): every part `""` when absent, at least one not. */
export interface PostalAddress {
  label: string;
  poBox: string;
  extended: string;
  street: string;
  locality: string;
  region: string;
  postalCode: string;
  country: string;
}

export const ADDRESS_PARTS = ['poBox', 'extended', 'street', 'locality', 'region', 'postalCode', 'country'] as const;

/**
 * One property of a vCard as it was read (import, CardDAV PUT): the group (`item1`), the name in
 * upper case, the parameters with their values, and the value as written in the card (still
 * vCard-escaped, already decoded from quoted-printable and its CHARSET). Kept so that a card is
 * written back with every property and parameter it had (API.md, "Nothing is lost").
 */
export interface CardProperty {
  group: string | null;
  name: string;
  params: { name: string; values: string[] }[];
  value: string;
}

/**
 * The card a contact came from, as last read: every property it had, the ones the model maps
 * included (the vCard adapter writes a mapped property back as it was while the field it maps to
 * still holds the value read from it). Null for a contact made over REST.
 */
export interface KeptCard {
  /** The card's own UID; export and CardDAV write it back instead of the contact id. */
  uid: string | null;
  properties: CardProperty[];
}

/** A contact's photo: where the storage serves it, and the storage's key for it. */
export interface StoredPhoto {
  url: string;
  key: string;
}

/** What a client may set on a contact (validated). */
export interface ContactFields {
  /** `""` only on a company's card (an organization and no first name). */
  firstName: string;
  lastName: string;
  middleName: string;
  prefix: string;
  suffix: string;
  nickname: string;
  organization: string;
  department: string;
  jobTitle: string;
  emails: LabelledValue[];
  /** As people write numbers, an extension included. */
  phones: LabelledValue[];
  addresses: PostalAddress[];
  urls: LabelledValue[];
  /** A calendar date `YYYY-MM-DD`, or a day without a year `--MM-DD` (vCard's form). */
  birthday: string | null;
  anniversary: string | null;
  notes: string | null;
  /** The contact's groups, unique compared case-insensitively, first spelling kept. */
  labels: string[];
}

export const CONTACT_FIELDS = [
  'firstName',
  'lastName',
  'middleName',
  'prefix',
  'suffix',
  'nickname',
  'organization',
  'department',
  'jobTitle',
  'emails',
  'phones',
  'addresses',
  'urls',
  'birthday',
  'anniversary',
  'notes',
  'labels',
] as const satisfies readonly (keyof ContactFields)[];

/**
 * Fields nothing else of the contact depends on: not the search text, the email, label and name
 * keys, the sort key or the rule that a contact needs a name. A change of these alone is written
 * as it is, without reading the rest of the contact first.
 */
export const INDEPENDENT_FIELDS = [
  'department',
  'jobTitle',
  'addresses',
  'urls',
  'birthday',
  'anniversary',
  'notes',
] as const satisfies readonly (keyof ContactFields)[];

/** Whether a change touches only INDEPENDENT_FIELDS (and at least one). */
export function onlyIndependentFields(fields: Partial<ContactFields>): boolean {
  const given = Object.keys(fields).filter((field) => fields[field as keyof ContactFields] !== undefined);
  return given.length > 0 && given.every((field) => (INDEPENDENT_FIELDS as readonly string[]).includes(field));
}

export interface Contact extends ContactFields {
  id: string;
  /** The user whose book holds the contact; never shown to clients. */
  userId: string;
  /** 1 at creation, one more on every change: the contact's strong ETag, and what `If-Match` compares. */
  version: number;
  photo: StoredPhoto | null;
  /** The card it came from (import, CardDAV); never shown over REST. */
  card: KeptCard | null;
  /**
   * Instants in the form clients see them: ISO 8601 in UTC with milliseconds
   * (`2026-11-24T20:24:21.123Z`), which sorts like the instants themselves. Kept as text, like
   * `birthday`: the database writes this form, so a read never parses a timestamp into a Date
   * only for the response to format it back.
   */
  createdAt: string;
  updatedAt: string;
}

/** What a client sees of a contact: every field, `email`/`phone` the first entries of their lists. */
export type ContactView = ContactFields & {
  id: string;
  email: string | null;
  phone: string | null;
  photoUrl: string | null;
  etag: string;
  createdAt: string;
  updatedAt: string;
};

/** The top-level fields of a contact's representation, in its order (what `fields=` may name). */
export const CONTACT_VIEW_FIELDS = [
  'id',
  'firstName',
  'lastName',
  'middleName',
  'prefix',
  'suffix',
  'nickname',
  'organization',
  'department',
  'jobTitle',
  'email',
  'phone',
  'emails',
  'phones',
  'addresses',
  'urls',
  'birthday',
  'anniversary',
  'notes',
  'labels',
  'photoUrl',
  'etag',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof ContactView)[];

/** A contact as one response shows it, with the version its ETag is made of. */
export interface VersionedContact {
  contact: ContactView;
  version: number;
}

/** A contact's version as its strong entity tag (RFC 9110 §8.8.3), the same over REST and CardDAV. */
export function contactEtag(version: number): string {
  return `"${version}"`;
}

/**
 * The versions an `If-Match` header accepts (REST and CardDAV alike), for a write conditional on
 * them: undefined when the header is absent or `*` (any current contact will do). Strong
 * comparison: a weak tag or one never issued matches nothing, so the write answers 412.
 */
export function versionsFromIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const tag of header.split(',')) {
    const match = /^\s*"([1-9]\d{0,9})"\s*$/.exec(tag);
    if (match) versions.push(Number(match[1]));
  }
  return versions;
}

export function toVersionedContact(contact: Contact): VersionedContact {
  return { contact: toContactView(contact), version: contact.version };
}

export function toContactView(contact: Omit<Contact, 'card'>): ContactView {
  return {
    id: contact.id,
    firstName: contact.firstName,
    lastName: contact.lastName,
    middleName: contact.middleName,
    prefix: contact.prefix,
    suffix: contact.suffix,
    nickname: contact.nickname,
    organization: contact.organization,
    department: contact.department,
    jobTitle: contact.jobTitle,
    email: contact.emails[0]?.value ?? null,
    phone: contact.phones[0]?.value ?? null,
    emails: contact.emails,
    phones: contact.phones,
    addresses: contact.addresses,
    urls: contact.urls,
    birthday: contact.birthday,
    anniversary: contact.anniversary,
    notes: contact.notes,
    labels: contact.labels,
    photoUrl: contact.photo?.url ?? null,
    etag: contactEtag(contact.version),
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
  };
}

/** Only the named top-level fields of a view (`fields=`), `id` always first. */
export function pickFields(view: ContactView, fields: readonly (keyof ContactView)[] | undefined): Partial<ContactView> {
  if (!fields) return view;
  const picked: Record<string, unknown> = { id: view.id };
  for (const field of fields) picked[field] = view[field];
  return picked as Partial<ContactView>;
}

export const NAME_MAX = 50;
export const ORGANIZATION_MAX = 100;
export const ADDRESS_PART_MAX = 100;
export const URL_MAX = 2000;
export const LABEL_MAX = 50;
export const LIST_MAX = 20;
export const LABELS_MAX = 50;
export const NOTES_MAX = 2000;
export const EARLIEST_BIRTHDAY = '1900-01-01';

export const PHONE_MIN = 5;
export const PHONE_MAX = 40;
/**
 * A number as people write it: digits, spaces and `+ - ( ) . /`, then optionally an extension
 * (`x123`, `ext. 123`, `ext 123`, `;ext=123`).
 */
export const PHONE_PATTERN = '^[0-9 +()./-]+(?:(?: ?(?:x|ext\\.?) ?|;ext=)[0-9]{1,10})?$';
const PHONE = new RegExp(PHONE_PATTERN, 'i');
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_WITHOUT_YEAR = /^--(\d{2})-(\d{2})$/;

/** The labels a client may give an entry besides custom text; an entry without a label is `other`. */
export const EMAIL_LABELS = ['home', 'work', 'other'] as const;
export const PHONE_LABELS = ['mobile', 'home', 'work', 'main', 'fax', 'pager', 'other'] as const;
export const DEFAULT_ENTRY_LABEL = 'other';

/** The number of code points of a string, without counting a megabyte: more than 2 × max units is too long. */
function tooLong(text: string, max: number): boolean {
  return text.length > max * 2 || [...text].length > max;
}

/** Absent, null or blank is null; anything else must be a string. */
function optionalString(errors: FieldErrors, field: string, value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string or null');
    return undefined;
  }
  return value.trim() === '' ? null : value;
}

/** Optional one-line text of 0..max characters; absent or null is `""`. */
function checkOptionalText(errors: FieldErrors, field: string, value: unknown, max: number): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' && value.trim() === '') return '';
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string or null');
    return undefined;
  }
  return checkText(errors, field, value, max);
}

function checkPhoneNumber(errors: FieldErrors, field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string');
    return undefined;
  }
  const phone = value.trim().replace(/\s+/g, ' ');
  if (phone.length < PHONE_MIN || phone.length > PHONE_MAX || !PHONE.test(phone) || !/\d/.test(phone)) {
    errors.add(field, `must be ${PHONE_MIN} to ${PHONE_MAX} characters of digits, spaces, + - ( ) . / and an extension such as x123`);
    return undefined;
  }
  return phone;
}

function checkUrl(errors: FieldErrors, field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    errors.add(field, 'must be a string');
    return undefined;
  }
  const url = value.trim();
  let parsed: URL | null = null;
  try {
    parsed = url.length <= URL_MAX ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || hasControlCharacters(url) || /\s/.test(url)) {
    errors.add(field, `must be an absolute http or https URL of at most ${URL_MAX} characters`);
    return undefined;
  }
  return url;
}

/** A label of an entry or a contact: 1–50 characters, no control characters. */
function checkLabel(errors: FieldErrors, field: string, value: unknown): string | undefined {
  return checkText(errors, field, value, LABEL_MAX);
}

/** An entry's label; absent, null or blank is `other`. Known labels are kept in lower case. */
function checkEntryLabel(errors: FieldErrors, field: string, value: unknown, known: readonly string[]): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return DEFAULT_ENTRY_LABEL;
  const label = checkLabel(errors, field, value);
  if (label === undefined) return undefined;
  return known.includes(label.toLowerCase()) ? label.toLowerCase() : label;
}

function checkList<T>(errors: FieldErrors, field: string, value: unknown, max: number, each: (field: string, item: unknown) => T | undefined): T[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.add(field, 'must be a list');
    return undefined;
  }
  if (value.length > max) {
    errors.add(field, `must hold at most ${max} entries`);
    return undefined;
  }
  const items: T[] = [];
  let failed = false;
  value.forEach((item, index) => {
    const checked = each(`${field}[${index}]`, item);
    if (checked === undefined) failed = true;
    else items.push(checked);
  });
  return failed ? undefined : items;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function labelledEntries(
  errors: FieldErrors,
  field: string,
  value: unknown,
  checkValue: (errors: FieldErrors, field: string, value: unknown) => string | undefined,
  known: readonly string[],
): LabelledValue[] | undefined {
  return checkList(errors, field, value, LIST_MAX, (itemField, item) => {
    if (!isObject(item)) {
      errors.add(itemField, 'must be an object { value, label }');
      return undefined;
    }
    const checked = checkValue(errors, `${itemField}.value`, item.value);
    const label = checkEntryLabel(errors, `${itemField}.label`, item.label, known);
    return checked === undefined || label === undefined ? undefined : { value: checked, label };
  });
}

function checkAddresses(errors: FieldErrors, field: string, value: unknown): PostalAddress[] | undefined {
  return checkList(errors, field, value, LIST_MAX, (itemField, item) => {
    if (!isObject(item)) {
      errors.add(itemField, 'must be an object');
      return undefined;
    }
    const label = checkEntryLabel(errors, `${itemField}.label`, item.label, EMAIL_LABELS);
    const address: Record<string, string | undefined> = { label };
    for (const part of ADDRESS_PARTS) address[part] = checkOptionalText(errors, `${itemField}.${part}`, item[part], ADDRESS_PART_MAX);
    if (Object.values(address).some((v) => v === undefined)) return undefined;
    if (ADDRESS_PARTS.every((part) => address[part] === '')) {
      errors.add(itemField, 'must have at least one non-empty part');
      return undefined;
    }
    return address as unknown as PostalAddress;
  });
}

/** The contact's labels: unique compared case-insensitively, the first spelling kept. */
function checkContactLabels(errors: FieldErrors, field: string, value: unknown): string[] | undefined {
  const labels = checkList(errors, field, value, LABELS_MAX, (itemField, item) => checkLabel(errors, itemField, item));
  return labels && uniqueLabels(labels);
}

/** Labels without repeats (case-insensitive), the first spelling kept, in order. */
export function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((label) => {
    const key = labelKey(label);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** How labels compare: case-insensitively. */
export function labelKey(label: string): string {
  return label.toLowerCase();
}

/**
 * A real calendar date written `YYYY-MM-DD`, from 1900-01-01 through `today` (UTC), or a real day
 * of the year without one written `--MM-DD` (29 February included).
 */
function checkDate(errors: FieldErrors, field: string, value: unknown, today: string): string | null | undefined {
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
  if (tooLong(notes, NOTES_MAX)) {
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

/** A contact as a client sent it: any of the fields, unchecked; other keys (id, owner, etag) are ignored. */
export type ContactInput = Record<string, unknown>;

type Checker = (errors: FieldErrors, field: string, value: unknown, today: string) => unknown;

const CHECKS: Record<keyof ContactFields, Checker> = {
  // A company's card may leave the first name out; validateContact/applyContactPatch check the pair.
  firstName: (errors, field, value) => checkOptionalText(errors, field, value, NAME_MAX),
  lastName: (errors, field, value) => checkOptionalText(errors, field, value, NAME_MAX),
  middleName: (errors, field, value) => checkOptionalText(errors, field, value, NAME_MAX),
  prefix: (errors, field, value) => checkOptionalText(errors, field, value, NAME_MAX),
  suffix: (errors, field, value) => checkOptionalText(errors, field, value, NAME_MAX),
  nickname: (errors, field, value) => checkOptionalText(errors, field, value, NAME_MAX),
  organization: (errors, field, value) => checkOptionalText(errors, field, value, ORGANIZATION_MAX),
  department: (errors, field, value) => checkOptionalText(errors, field, value, ORGANIZATION_MAX),
  jobTitle: (errors, field, value) => checkOptionalText(errors, field, value, ORGANIZATION_MAX),
  emails: (errors, field, value) => labelledEntries(errors, field, value, (e, f, v) => checkEmail(e, f, v), EMAIL_LABELS),
  phones: (errors, field, value) => labelledEntries(errors, field, value, checkPhoneNumber, PHONE_LABELS),
  addresses: checkAddresses,
  urls: (errors, field, value) => labelledEntries(errors, field, value, checkUrl, EMAIL_LABELS),
  birthday: checkDate,
  anniversary: checkDate,
  notes: checkNotes,
  labels: checkContactLabels,
};

/**
 * What a request body says about the lists' first entries through `email` and `phone`: absent
 * (undefined), remove the first entry (null), or this value as the first entry.
 */
interface FirstEntries {
  email?: string | null;
  phone?: string | null;
}

/** A validated partial change: the fields given, and what `email`/`phone` say when their lists are not given. */
export interface ContactPatch {
  fields: Partial<ContactFields>;
  first: FirstEntries;
}

function checkFirstEntries(errors: FieldErrors, input: ContactInput): FirstEntries {
  const first: FirstEntries = {};
  if (input.email !== undefined) {
    const raw = optionalString(errors, 'email', input.email);
    first.email = raw === undefined || raw === null ? (raw ?? null) : (checkEmail(errors, 'email', raw) ?? null);
  }
  if (input.phone !== undefined) {
    const raw = optionalString(errors, 'phone', input.phone);
    first.phone = raw === undefined || raw === null ? (raw ?? null) : (checkPhoneNumber(errors, 'phone', raw) ?? null);
  }
  return first;
}

/** Checks the fields present in the input (and `email`/`phone`), naming every invalid one. */
export function validateContactPatch(input: ContactInput, today: string): ContactPatch {
  const errors = new FieldErrors();
  const fields: Record<string, unknown> = {};
  for (const field of CONTACT_FIELDS) {
    if (input[field] === undefined) continue;
    fields[field] = CHECKS[field](errors, field, input[field], today);
  }
  const first = checkFirstEntries(errors, input);
  // A body with both must agree on the first entry.
  const agree = (one: 'email' | 'phone', list: 'emails' | 'phones', same: (a: string, b: string) => boolean) => {
    if (first[one] === undefined || fields[list] === undefined || errors.has(one) || errors.has(list)) return;
    const head = (fields[list] as LabelledValue[])[0]?.value ?? null;
    const given = first[one];
    if (given === null ? head !== null : head === null || !same(given, head)) errors.add(one, `must be the first entry of ${list}`);
  };
  agree('email', 'emails', (a, b) => emailKey(a) === emailKey(b));
  agree('phone', 'phones', (a, b) => a === b);
  errors.throwIfAny();
  return { fields: fields as Partial<ContactFields>, first };
}

/** A contact with nothing in it, which a full replacement starts from. */
export const EMPTY_CONTACT_FIELDS: ContactFields = Object.freeze({
  firstName: '',
  lastName: '',
  middleName: '',
  prefix: '',
  suffix: '',
  nickname: '',
  organization: '',
  department: '',
  jobTitle: '',
  emails: [],
  phones: [],
  addresses: [],
  urls: [],
  birthday: null,
  anniversary: null,
  notes: null,
  labels: [],
}) as ContactFields;

/** `email`/`phone` applied to a list whose body was not given: replace the first entry (its label kept), add one, or remove it. */
function withFirst(list: readonly LabelledValue[], value: string | null | undefined): LabelledValue[] {
  if (value === undefined) return [...list];
  if (value === null) return list.slice(1);
  if (list.length === 0) return [{ value, label: DEFAULT_ENTRY_LABEL }];
  return [{ value, label: list[0]!.label }, ...list.slice(1)];
}

/** What a contact with neither a first name nor an organization is told, on `firstName`. */
export const NAME_REQUIRED = 'is required (or an organization, for a company’s card)';

/**
 * The contact after a change: the given fields replace the current ones, then `email`/`phone`
 * act on the first entries of lists the change did not give. A contact needs a first name unless
 * it is a company's card (an organization); a list may not grow past LIST_MAX through `email`.
 */
export function applyContactPatch(current: ContactFields, patch: ContactPatch): ContactFields {
  const next: ContactFields = { ...current, ...patch.fields };
  if (patch.fields.emails === undefined) next.emails = withFirst(current.emails, patch.first.email);
  if (patch.fields.phones === undefined) next.phones = withFirst(current.phones, patch.first.phone);
  const errors = new FieldErrors();
  if (next.firstName === '' && next.organization === '') errors.add('firstName', NAME_REQUIRED);
  errors.throwIfAny();
  return next;
}

/**
 * Every field of a contact, as for a creation or a full replacement: fields left out are empty.
 * `email`/`phone` act as on an empty contact. Other keys of the input (id, owner, timestamps)
 * are ignored. `today` is `YYYY-MM-DD` in UTC.
 */
export function validateContact(input: ContactInput, today: string): ContactFields {
  let patch: ContactPatch;
  try {
    patch = validateContactPatch(input, today);
  } catch (error) {
    // A body with other invalid fields and no name at all is told about the name too, in the same answer.
    const blank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
    const named = error instanceof ValidationFailed && error.errors.some((e) => e.field === 'firstName' || e.field === 'organization');
    if (error instanceof ValidationFailed && !named && blank(input.firstName) && blank(input.organization)) {
      throw new ValidationFailed([...error.errors, { field: 'firstName', message: NAME_REQUIRED }]);
    }
    throw error;
  }
  return applyContactPatch(EMPTY_CONTACT_FIELDS, patch);
}

/** Keys of the emails a contact holds, as the book compares them (case-insensitively). */
export function emailKeysOf(fields: Pick<ContactFields, 'emails'>): string[] {
  return [...new Set(fields.emails.map((e) => emailKey(e.value)))];
}

/** The digits of a phone number, which is how phones compare and are searched (`+1 (555) 010-0` → `15550100`). */
export function phoneDigits(phone: string): string {
  return phone.replace(/\D/g, '');
}

/**
 * Text as search compares it: lower case, accents and other marks dropped, compatibility forms
 * folded (`Ｚoë` → `zoe`). The same function prepares what is stored and what is searched for.
 */
export function searchKey(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * What `q` is matched against, one line per searchable value (so a match never spans two): every
 * name field, the nickname, the organization, the emails and the labels as searchKey gives them,
 * and each phone's digits.
 */
export function searchTextOf(fields: ContactFields): string {
  const texts = [
    fields.firstName,
    fields.middleName,
    fields.lastName,
    fields.prefix,
    fields.suffix,
    fields.nickname,
    fields.organization,
    ...fields.emails.map((e) => e.value),
    ...fields.labels,
  ].filter((t) => t !== '');
  // The whole name too, so that `q=ann lee` finds Ann Lee (nameKeysOf's two forms beyond the single names).
  const wholeNames = nameKeysOf(fields).filter((k) => k.includes(' '));
  return [...texts.map(searchKey), ...wholeNames, ...fields.phones.map((p) => phoneDigits(p.value)).filter((d) => d !== '')].join('\n');
}

/** The full name as duplicates compare it: first, middle and last name through searchKey, spaces folded; `""` for none. */
export function fullNameKey(fields: Pick<ContactFields, 'firstName' | 'middleName' | 'lastName'>): string {
  return searchKey([fields.firstName, fields.middleName, fields.lastName].join(' ')).replace(/\s+/g, ' ').trim();
}

export type ContactSort = 'created' | 'name' | 'relevance';

export interface ContactQuery {
  /** Matched against searchTextOf: searchKey(q) as a substring, or, when q is written like a phone number, its digits. */
  q?: string;
  /** Contacts with this label (case-insensitive). */
  label?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  sort: ContactSort;
  limit: number;
  offset: number;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
export const DEFAULT_BIRTHDAY_DAYS = 7;
export const MAX_BIRTHDAY_DAYS = 366;
export const SEARCH_MAX = 100;

/**
 * The patterns `q` matches: searchKey(q), and, when q looks like a phone number (only phone
 * characters and at least three digits), its digits as well.
 */
export function searchPatterns(q: string): { text: string; digits: string | null } {
  const digits = /^[0-9 +()./-]+$/.test(q) ? phoneDigits(q) : '';
  return { text: searchKey(q), digits: digits.length >= 3 ? digits : null };
}

/** Text as relevance compares names: searchKey with runs of white space folded to one space. */
export function nameKey(text: string): string {
  return searchKey(text).replace(/\s+/g, ' ').trim();
}

/**
 * The names `sort=relevance` ranks first when q equals one (then when q begins one): the first
 * name, the last name, the nickname, first and last name, and first, middle and last name, each
 * through nameKey; none empty, no repeats.
 */
export function nameKeysOf(fields: Pick<ContactFields, 'firstName' | 'middleName' | 'lastName' | 'nickname'>): string[] {
  const keys = [fields.firstName, fields.lastName, fields.nickname, `${fields.firstName} ${fields.lastName}`, fullNameKey(fields)].map(nameKey);
  return [...new Set(keys.filter((k) => k !== ''))];
}

/**
 * What `sort=name` orders by (compared code point by code point): the last name, then the first
 * name, through searchKey, joined by U+0001 (below any character a name may hold, so `smith`
 * comes before `smithson` whatever the first names). A company's card (no name) sorts by its
 * organization as if it were the last name.
 */
export function nameSortKey(fields: Pick<ContactFields, 'firstName' | 'lastName' | 'organization'>): string {
  const last = fields.firstName === '' && fields.lastName === '' ? fields.organization : fields.lastName;
  return `${searchKey(last)}\u0001${searchKey(fields.firstName)}`;
}

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
  if (tooLong(text, SEARCH_MAX)) {
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
  label?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  email?: unknown;
  sort?: unknown;
  limit?: number;
  offset?: number;
}

export const CONTACT_SORTS: readonly ContactSort[] = ['created', 'name', 'relevance'];

/** Search and paging parameters. */
export function validateContactQuery(input: ContactQueryInput): ContactQuery {
  const errors = new FieldErrors();
  let sort: ContactSort = 'created';
  if (input.sort !== undefined && input.sort !== '') {
    if (typeof input.sort !== 'string' || !CONTACT_SORTS.includes(input.sort as ContactSort)) errors.add('sort', `must be one of ${CONTACT_SORTS.join(', ')}`);
    else sort = input.sort as ContactSort;
  }
  const query: ContactQuery = {
    sort,
    limit: checkInteger(errors, 'limit', input.limit, 1, MAX_LIMIT, DEFAULT_LIMIT),
    offset: checkInteger(errors, 'offset', input.offset, 0, Number.MAX_SAFE_INTEGER, 0),
  };
  for (const field of ['q', 'label', 'firstName', 'lastName', 'email'] as const) {
    const text = checkSearch(errors, field, input[field]);
    if (text !== undefined) query[field] = text;
  }
  if (sort === 'relevance' && query.q === undefined) errors.add('sort', 'relevance needs q');
  errors.throwIfAny();
  return query;
}

/** `fields=`: a comma list of top-level fields of a contact; undefined for all. */
export function validateFieldSelection(value: unknown): (keyof ContactView)[] | undefined {
  // An empty `fields=` is no selection, as an empty parameter is absent elsewhere.
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  const errors = new FieldErrors();
  if (typeof value !== 'string') {
    errors.add('fields', 'must be given once, as a comma list');
    errors.throwIfAny();
  }
  const names = (value as string)
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(CONTACT_VIEW_FIELDS as readonly string[]).includes(n));
  if (unknown.length > 0) errors.add('fields', `unknown field ${unknown.slice(0, 5).join(', ')}`);
  errors.throwIfAny();
  return [...new Set(names)] as (keyof ContactView)[];
}

/** How many days ahead to look for birthdays: 0 (today only) to 366. */
export function validateBirthdayWindow(input: { days?: number }): number {
  const errors = new FieldErrors();
  const days = checkInteger(errors, 'days', input.days, 0, MAX_BIRTHDAY_DAYS, DEFAULT_BIRTHDAY_DAYS);
  errors.throwIfAny();
  return days;
}
