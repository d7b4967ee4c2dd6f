import type { CardRead } from '../../application/ports/contact-card-format.js';
import { NOTES_MAX } from '../../domain/contact.js';

/**
 * The two CSV layouts address books export, read into a contact's candidate fields (validated
 * later, like a vCard's). Google Contacts writes two header rows over the years: the older
 * ("Name,Given Name,Additional Name,Family Name,…,Group Membership,E-mail 1 - Type,E-mail 1 - Value,
 * …,Organization 1 - Name,…") and the current ("First Name,Middle Name,Last Name,…,Labels,
 * E-mail 1 - Label,E-mail 1 - Value,…"); one cell may hold several values joined by " ::: ".
 * Outlook (and Google's "Outlook CSV") writes fixed columns: "First Name,Middle Name,Last Name,
 * Title,Suffix,…,Company,Department,Job Title,Business Street,…,E-mail Address,E-mail 2 Address,…,
 * Categories,Web Page".
 */
export type CsvLayout = 'google' | 'outlook';

/** One row by its header's column names (the first column of a name wins). */
export type Row = (column: string) => string;

/** Which layout a header row is, or null for any other CSV. */
export function layoutOf(header: readonly string[]): CsvLayout | null {
  const names = new Set(header.map((name) => name.trim()));
  const google =
    names.has('Given Name') ||
    names.has('Group Membership') ||
    names.has('Labels') ||
    header.some((name) => /^(E-mail|Phone|Organization) 1 - (Value|Name)$/.test(name.trim()));
  if (google) return 'google';
  // Columns only Outlook's layout has: Thunderbird's export also has "First Name" and "Job Title", but
  // "Primary Email", "Mobile Number" and "Organization", which read as Outlook's would lose them.
  const outlook = names.has('E-mail Address') || names.has('Business Phone') || names.has('Mobile Phone') || names.has('Company');
  if (outlook && (names.has('First Name') || names.has('Last Name') || names.has('Company'))) return 'outlook';
  return null;
}

/** Each column name of a header row with its index (the first column of a name wins); built once per file. */
export function columnsOf(header: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim();
    if (!index.has(key)) index.set(key, i);
  });
  return index;
}

/** A row of cells as a lookup by column name, each cell trimmed. */
export function rowOf(columns: ReadonlyMap<string, number>, cells: readonly string[]): Row {
  return (column) => {
    const i = columns.get(column);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
}

/** Google's separator of several values in one cell. */
const GOOGLE_SEPARATOR = ' ::: ';

function splitGoogle(cell: string): string[] {
  return cell === '' ? [] : cell.split(GOOGLE_SEPARATOR).map((v) => v.trim());
}

/** Line breaks inside a cell that maps to one-line text (a street written on two lines) become ", ". */
function oneLine(text: string): string {
  return lineParts(text).join(', ');
}

/** The lines of a cell, each trimmed, the empty ones left out (split and trimmed, never a backtracking pattern). */
function lineParts(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * An entry's label as the model spells it: `* ` (Google's mark of the primary entry) dropped,
 * the known labels in lower case, faxes as `fax`, anything else as written.
 */
function entryLabel(raw: string): string {
  const label = raw.replace(/^\*\s*/, '').trim();
  const lower = label.toLowerCase();
  if (lower === '') return 'other';
  if (lower.includes('fax')) return 'fax';
  if (lower === 'cell' || lower === 'mobile phone') return 'mobile';
  if (lower === 'business') return 'work';
  if (lower === 'personal') return 'home';
  return label;
}

/** A website as written in an address book (`www.example.com`) made an absolute URL. */
function absoluteUrl(raw: string): string {
  const url = raw.trim();
  if (url === '' || /^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  return `http://${url.replace(/^\/+/, '')}`;
}

/** The longest date an export writes: `12/31/2020 11:59:59 PM` and then some. */
const DATE_MAX = 40;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date as the exports write it: `YYYY-MM-DD`, `--MM-DD` (Google, no year), `M/D/YYYY` (Outlook in
 * US English; `D/M/YYYY` when the first number cannot be a month), `D.M.YYYY`, with any time of
 * day after it dropped. Outlook's empty date `0/0/00` is none. Anything else is passed on as written,
 * for validation to name.
 */
export function dateOf(raw: string): string | null {
  // No date is longer; a longer text goes to validation as written, and never through the patterns below.
  if (raw.length > DATE_MAX) return raw;
  const text = raw.trim().replace(/\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AP]M)?$/i, '');
  if (text === '' || /^0?0[/.-]0?0[/.-]0{2,4}$/.test(text)) return null;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) return `${iso[1]}-${pad(Number(iso[2]))}-${pad(Number(iso[3]))}`;
  const yearless = /^--?(\d{1,2})-(\d{1,2})$/.exec(text);
  if (yearless) return `--${pad(Number(yearless[1]))}-${pad(Number(yearless[2]))}`;
  const slashed = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (slashed) {
    const [a, b] = [Number(slashed[1]), Number(slashed[2])];
    const [month, day] = a > 12 ? [b, a] : [a, b];
    return `${slashed[3]}-${pad(month)}-${pad(day)}`;
  }
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  if (dotted) return `${dotted[3]}-${pad(Number(dotted[2]))}-${pad(Number(dotted[1]))}`;
  return text;
}

/** Labels of a contact from Google's "Labels"/"Group Membership": the system groups (`* myContacts`, `* starred`) dropped. */
function googleLabels(cell: string): string[] {
  return splitGoogle(cell).filter((label) => label !== '' && !label.startsWith('*'));
}

/** Outlook's "Categories": `;`-separated (Google's Outlook CSV joins them with " ::: "). */
function outlookLabels(cell: string): string[] {
  return cell
    .split(/;|\s:::\s/)
    .map((label) => label.trim())
    .filter(Boolean);
}

interface Entry {
  value: string;
  label: string;
}

const emailOf = (value: string) => value.toLowerCase();
const digitsOf = (value: string) => value.replace(/\D/g, '') || value;

/**
 * Entries without repeats (exports often write one address in two columns, or twice in a cell),
 * the first kept with its label; `key` says which values are the same.
 */
function uniqueEntries(entries: readonly Entry[], key: (value: string) => string): Entry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const k = key(entry.value);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Google's numbered columns (`E-mail 1 - Value`, `E-mail 2 - Value`, …) in order, each cell split
 * on " ::: " with the one label of its column. Columns are looked up until the first number the
 * header does not have.
 */
function googleEntries(row: Row, has: (column: string) => boolean, kind: string, toValue: (v: string) => string = (v) => v): Entry[] {
  const entries: Entry[] = [];
  for (let n = 1; has(`${kind} ${n} - Value`); n += 1) {
    const label = entryLabel(row(`${kind} ${n} - Label`) || row(`${kind} ${n} - Type`));
    for (const value of splitGoogle(row(`${kind} ${n} - Value`))) if (value !== '') entries.push({ value: toValue(value), label });
  }
  return entries;
}

const ADDRESS_COLUMNS = {
  street: 'Street',
  locality: 'City',
  poBox: 'PO Box',
  region: 'Region',
  postalCode: 'Postal Code',
  country: 'Country',
  extended: 'Extended Address',
} as const;

type Address = Record<keyof typeof ADDRESS_COLUMNS | 'label', string>;

function googleAddresses(row: Row, has: (column: string) => boolean): Address[] {
  const addresses: Address[] = [];
  for (let n = 1; has(`Address ${n} - Formatted`) || has(`Address ${n} - Street`); n += 1) {
    const label = entryLabel(row(`Address ${n} - Label`) || row(`Address ${n} - Type`));
    const parts = Object.fromEntries(Object.entries(ADDRESS_COLUMNS).map(([part, column]) => [part, splitGoogle(row(`Address ${n} - ${column}`))])) as Record<
      keyof typeof ADDRESS_COLUMNS,
      string[]
    >;
    const formatted = splitGoogle(row(`Address ${n} - Formatted`));
    const count = Math.max(formatted.length, ...Object.values(parts).map((p) => p.length));
    for (let i = 0; i < count; i += 1) {
      const address = { label } as Address;
      for (const part of Object.keys(ADDRESS_COLUMNS) as (keyof typeof ADDRESS_COLUMNS)[]) address[part] = oneLine(parts[part][i] ?? '');
      // Only the formatted text: it goes into the street, one line.
      if (Object.keys(ADDRESS_COLUMNS).every((part) => address[part as keyof typeof ADDRESS_COLUMNS] === '')) address.street = oneLine(formatted[i] ?? '');
      if (Object.keys(ADDRESS_COLUMNS).some((part) => address[part as keyof typeof ADDRESS_COLUMNS] !== '')) addresses.push(address);
    }
  }
  return addresses;
}

function displayName(parts: readonly string[], organization: string, fallback: string): string | null {
  const name = parts.filter(Boolean).join(' ');
  return name || fallback || organization || null;
}

/**
 * The row's notes with the values the model has no field for (a spouse, a custom field, an event
 * other than the anniversary) added as `Label: value` lines, so that moving a book in loses none of
 * them. A line that would take the notes past NOTES_MAX is left out rather than cost the contact.
 */
function notesWith(notes: string, extras: readonly (readonly [string, string])[]): string | null {
  const lines = notes === '' ? [] : [notes];
  // Counted once per line, so that a cell of many " ::: " values costs time in proportion to it.
  let length = [...notes].length;
  for (const [label, value] of extras) {
    if (value === '' || length >= NOTES_MAX) continue;
    const line = `${label}: ${lineParts(value).join(' ')}`;
    const added = [...line].length + (lines.length > 0 ? 1 : 0);
    if (length + added > NOTES_MAX) continue;
    lines.push(line);
    length += added;
  }
  return lines.length === 0 ? null : lines.join('\n');
}

/** Google's numbered `Kind N - Label`/`Kind N - Value` columns as `Label: value` pairs (`fallback` for a column without a label). */
function googleExtras(
  row: Row,
  has: (column: string) => boolean,
  kind: string,
  fallback: string,
  skip: (label: string) => boolean = () => false,
): [string, string][] {
  const extras: [string, string][] = [];
  for (let n = 1; has(`${kind} ${n} - Value`); n += 1) {
    const label = (row(`${kind} ${n} - Label`) || row(`${kind} ${n} - Type`)).replace(/^\*\s*/, '') || fallback;
    if (skip(label)) continue;
    for (const value of splitGoogle(row(`${kind} ${n} - Value`))) extras.push([label, value]);
  }
  return extras;
}

/** A row of Google's export (either header row) as a card. */
export function googleCard(row: Row, has: (column: string) => boolean): CardRead {
  const first = row('First Name') || row('Given Name');
  const middle = row('Middle Name') || row('Additional Name');
  const last = row('Last Name') || row('Family Name');
  const organization = row('Organization Name') || splitGoogle(row('Organization 1 - Name'))[0] || '';
  const fullName = row('Name') || row('File As');
  // A contact saved with only a display name ("Name") keeps it as its first name.
  const firstName = first || (!middle && !last && !organization ? fullName : '');
  let anniversary: string | null = null;
  for (let n = 1; has(`Event ${n} - Value`); n += 1) {
    const label = (row(`Event ${n} - Label`) || row(`Event ${n} - Type`)).replace(/^\*\s*/, '').toLowerCase();
    if (label === 'anniversary' && anniversary === null) anniversary = dateOf(splitGoogle(row(`Event ${n} - Value`))[0] ?? '');
  }
  const fields: Record<string, unknown> = {
    firstName,
    middleName: middle,
    lastName: last,
    prefix: row('Name Prefix'),
    suffix: row('Name Suffix'),
    nickname: row('Nickname'),
    organization,
    department: row('Organization Department') || splitGoogle(row('Organization 1 - Department'))[0] || '',
    jobTitle: row('Organization Title') || splitGoogle(row('Organization 1 - Title'))[0] || '',
    emails: uniqueEntries(googleEntries(row, has, 'E-mail'), emailOf),
    phones: uniqueEntries(googleEntries(row, has, 'Phone'), digitsOf),
    addresses: googleAddresses(row, has),
    urls: uniqueEntries(googleEntries(row, has, 'Website', absoluteUrl), (v) => v),
    birthday: dateOf(row('Birthday')),
    anniversary,
    notes: notesWith(row('Notes'), [
      ...googleExtras(row, has, 'Relation', 'Relation'),
      ...googleExtras(row, has, 'Event', 'Event', (label) => label.toLowerCase() === 'anniversary'),
      ...googleExtras(row, has, 'Custom Field', 'Custom field'),
      ...googleExtras(row, has, 'IM', 'IM'),
    ]),
    labels: googleLabels(row('Labels') || row('Group Membership')),
  };
  return { name: displayName([firstName, middle, last], organization, fullName), fields, card: null, photo: null };
}

/** Outlook's phone columns, in the order they become the contact's list (the first is its `phone`). */
const OUTLOOK_PHONES: readonly [string, string][] = [
  ['Primary Phone', 'main'],
  ['Mobile Phone', 'mobile'],
  ['Business Phone', 'work'],
  ['Business Phone 2', 'work'],
  ['Home Phone', 'home'],
  ['Home Phone 2', 'home'],
  ['Company Main Phone', 'main'],
  ['Other Phone', 'other'],
  ['Car Phone', 'car'],
  ['Assistant’s Phone', 'assistant'],
  ["Assistant's Phone", 'assistant'],
  ['Callback', 'callback'],
  ['Radio Phone', 'radio'],
  ['ISDN', 'ISDN'],
  ['TTY/TDD Phone', 'TTY/TDD'],
  ['Telex', 'telex'],
  ['Business Fax', 'fax'],
  ['Home Fax', 'fax'],
  ['Other Fax', 'fax'],
  ['Pager', 'pager'],
];

/** Outlook's columns worth keeping that no field holds; the others (Priority, Sensitivity, Gender…) are settings, not facts about the person. */
const OUTLOOK_EXTRAS = [
  'Spouse',
  'Children',
  "Manager's Name",
  "Assistant's Name",
  'Referred By',
  'Office Location',
  'Profession',
  'Hobby',
  'User 1',
  'User 2',
  'User 3',
  'User 4',
];

const OUTLOOK_ADDRESSES: readonly [string, string][] = [
  ['Home', 'home'],
  ['Business', 'work'],
  ['Other', 'other'],
];

function outlookAddress(row: Row, prefix: string, label: string): Address | null {
  const address: Address = {
    label,
    street: [row(`${prefix} Street`), row(`${prefix} Street 2`), row(`${prefix} Street 3`)].map(oneLine).filter(Boolean).join(', '),
    extended: '',
    poBox: oneLine(row(`${prefix} Address PO Box`)),
    locality: oneLine(row(`${prefix} City`)),
    region: oneLine(row(`${prefix} State`)),
    postalCode: oneLine(row(`${prefix} Postal Code`)),
    country: oneLine(row(`${prefix} Country`) || row(`${prefix} Country/Region`)),
  };
  return Object.keys(ADDRESS_COLUMNS).some((part) => address[part as keyof typeof ADDRESS_COLUMNS] !== '') ? address : null;
}

/** A row of Outlook's export as a card. */
export function outlookCard(row: Row): CardRead {
  const [first, middle, last, organization] = [row('First Name'), row('Middle Name'), row('Last Name'), row('Company')];
  const emails = ['E-mail Address', 'E-mail 2 Address', 'E-mail 3 Address']
    .map((column) => row(column))
    .filter(Boolean)
    .map((value) => ({ value, label: 'other' }));
  const phones = OUTLOOK_PHONES.flatMap(([column, label]) => (row(column) ? [{ value: row(column), label }] : []));
  const urls = [
    ['Web Page', 'other'],
    ['Personal Web Page', 'home'],
    ['Business Home Page', 'work'],
  ].flatMap(([column, label]) => (row(column!) ? [{ value: absoluteUrl(row(column!)), label: label! }] : []));
  const fields: Record<string, unknown> = {
    firstName: first,
    middleName: middle,
    lastName: last,
    prefix: row('Title'),
    suffix: row('Suffix'),
    nickname: row('Nickname'),
    organization,
    department: row('Department'),
    jobTitle: row('Job Title'),
    emails: uniqueEntries(emails, emailOf),
    phones: uniqueEntries(phones, digitsOf),
    addresses: OUTLOOK_ADDRESSES.flatMap(([prefix, label]) => outlookAddress(row, prefix, label) ?? []),
    urls,
    birthday: dateOf(row('Birthday')),
    anniversary: dateOf(row('Anniversary')),
    notes: notesWith(
      row('Notes'),
      OUTLOOK_EXTRAS.map((column) => [column, row(column)] as const),
    ),
    labels: outlookLabels(row('Categories')),
  };
  return { name: displayName([first, middle, last], organization, ''), fields, card: null, photo: null };
}
