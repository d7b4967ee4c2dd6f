import {
  ADDRESS_PART_MAX,
  type CardProperty,
  type ContactFields,
  EMAIL_LABELS,
  LABEL_MAX,
  LABELS_MAX,
  type LabelledValue,
  LIST_MAX,
  NAME_MAX,
  NOTES_MAX,
  ORGANIZATION_MAX,
  PHONE_LABELS,
  PHONE_MAX,
  PHONE_MIN,
  PHONE_PATTERN,
  type PostalAddress,
  URL_MAX,
  uniqueLabels,
} from '../../domain/contact.js';
import { FieldErrors } from '../../domain/errors.js';
import { checkEmail, hasControlCharacters } from '../../domain/validation.js';
import { splitValue, unescapeText } from './vcard-content-lines.js';

/**
 * What a card's properties say about a contact's fields, and which property each field comes
 * from. The reader uses it to make the contact; the writer uses it again on the kept card to know,
 * per property, whether the field it maps to still holds the value read from it (then the property
 * is written back as it was) or not (then it is written from the field).
 */

export type ListKind = 'emails' | 'phones' | 'addresses' | 'urls';
export type ScalarKind = 'name' | 'fn' | 'org' | 'title' | 'nickname' | 'bday' | 'anniversary' | 'note' | 'company';

/** What one property maps to; null for a property the model has no field for (kept as it is). */
export type Role =
  | { kind: ScalarKind }
  | { kind: 'emails' | 'phones' | 'urls'; entry: LabelledValue; rank: number }
  | { kind: 'addresses'; entry: PostalAddress; rank: number }
  | { kind: 'categories'; labels: string[] }
  | null;

export interface CardFields {
  /** Candidate fields (not validated): texts trimmed and cut to the model's lengths, entries the model would refuse left out. */
  fields: ContactFields;
  /** One per property, in order. */
  roles: Role[];
  /** FN, else N's given and family names, else ORG: what a report calls the card. */
  name: string | null;
  /** Whether the card has a name or an organization to make a contact of. */
  named: boolean;
  /** Set for a group card (`KIND:group`, `X-ADDRESSBOOKSERVER-KIND:group`): its members' UIDs. */
  group: { members: string[] } | null;
}

/** Apple's built-in labels (`_$!<HomeFAX>!$_`), as the model's labels. */
const APPLE_LABELS: Record<string, string> = {
  home: 'home',
  work: 'work',
  other: 'other',
  mobile: 'mobile',
  iphone: 'mobile',
  main: 'main',
  homefax: 'fax',
  workfax: 'fax',
  otherfax: 'fax',
  pager: 'pager',
  homepage: 'homepage',
  anniversary: 'anniversary',
};
const APPLE_FORM = /^_\$!<(.{1,100})>!\$_$/s;

export const ANNIVERSARY_PROPERTIES = new Set(['ANNIVERSARY', 'X-ANNIVERSARY', 'X-EVOLUTION-ANNIVERSARY', 'X-MS-ANNIVERSARY', 'X-KADDRESSBOOK-X-ANNIVERSARY']);

/** Apple Contacts' stand-in year for a date without one (`BDAY;X-APPLE-OMIT-YEAR=1604:1604-05-17`). */
export const APPLE_NO_YEAR = '1604';

const PHONE = new RegExp(PHONE_PATTERN, 'i');

export function cardFields(properties: readonly CardProperty[]): CardFields {
  const groupLabels = new Map<string, string>();
  for (const p of properties) {
    if (p.name === 'X-ABLABEL' && p.group !== null && !groupLabels.has(p.group.toLowerCase())) groupLabels.set(p.group.toLowerCase(), textOf(p));
  }
  const customLabel = (p: CardProperty) => (p.group === null ? undefined : groupLabels.get(p.group.toLowerCase()));

  const roles: Role[] = properties.map(() => null);
  const first = new Map<string, number>();
  const lists: Record<ListKind, { index: number; rank: number; entry: LabelledValue | PostalAddress }[]> = { emails: [], phones: [], addresses: [], urls: [] };
  const categories: string[] = [];
  let company = false;
  let groupCard = false;
  const members: string[] = [];

  const firstOf = (kind: ScalarKind, index: number) => {
    if (first.has(kind)) return;
    first.set(kind, index);
    roles[index] = { kind };
  };

  const visit = (p: CardProperty, index: number): void => {
    switch (p.name) {
      case 'N':
        firstOf('name', index);
        return;
      case 'FN':
        firstOf('fn', index);
        return;
      case 'ORG':
        firstOf('org', index);
        return;
      case 'TITLE':
        firstOf('title', index);
        return;
      case 'NICKNAME':
        firstOf('nickname', index);
        return;
      case 'NOTE':
        firstOf('note', index);
        return;
      case 'BDAY':
        if (!first.has('bday') && dateOf(p) !== null) firstOf('bday', index);
        return;
      case 'KIND':
      case 'X-ADDRESSBOOKSERVER-KIND': {
        const kind = textOf(p).toLowerCase();
        if (kind === 'group') groupCard = true;
        else if (kind === 'org' && p.name === 'KIND' && !company) {
          company = true;
          roles[index] = { kind: 'company' };
        }
        return;
      }
      case 'X-ABSHOWAS':
        if (textOf(p).toUpperCase() === 'COMPANY' && !company) {
          company = true;
          roles[index] = { kind: 'company' };
        }
        return;
      case 'MEMBER':
      case 'X-ADDRESSBOOKSERVER-MEMBER':
        members.push(textOf(p));
        return;
      case 'CATEGORIES': {
        const labels = splitValue(p.value, ',;')
          .map((l) => cut(unescapeText(l).trim(), LABEL_MAX))
          .filter((l) => l !== '' && !hasControlCharacters(l));
        if (labels.length > 0) {
          roles[index] = { kind: 'categories', labels };
          // One by one: spreading a list of a million labels into push's arguments overflows the stack.
          for (const label of labels) categories.push(label);
        }
        return;
      }
      case 'EMAIL': {
        const value = textOf(p).replace(/^mailto:/i, '');
        if (checkEmail(new FieldErrors(), 'email', value) === undefined) return;
        lists.emails.push({ index, rank: rankOf(p), entry: { value, label: entryLabel(p, customLabel(p), EMAIL_LABELS, typeLabel) } });
        return;
      }
      case 'TEL': {
        const value = phoneOf(textOf(p));
        if (value.length < PHONE_MIN || value.length > PHONE_MAX || !PHONE.test(value) || !/\d/.test(value)) return;
        lists.phones.push({ index, rank: rankOf(p), entry: { value, label: entryLabel(p, customLabel(p), PHONE_LABELS, phoneTypeLabel) } });
        return;
      }
      case 'URL': {
        // iOS keeps a web address as typed: `www.example.com` is read as http://www.example.com.
        const typed = textOf(p);
        const value = /^[a-z0-9-]+(\.[a-z0-9-]+)+(?:[/:?#]|$)/i.test(typed) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? `http://${typed}` : typed;
        if (!isWebUrl(value)) return;
        lists.urls.push({ index, rank: rankOf(p), entry: { value, label: entryLabel(p, customLabel(p), EMAIL_LABELS, typeLabel) } });
        return;
      }
      case 'ADR': {
        const parts = splitValue(p.value, ';', 7).map((c) => cut(unescapeText(c).trim(), ADDRESS_PART_MAX));
        if (parts.slice(0, 7).every((c) => c === '')) return;
        const [poBox = '', extended = '', street = '', locality = '', region = '', postalCode = '', country = ''] = parts;
        const label = entryLabel(p, customLabel(p), EMAIL_LABELS, typeLabel);
        lists.addresses.push({ index, rank: rankOf(p), entry: { label, poBox, extended, street, locality, region, postalCode, country } });
        return;
      }
      case 'X-ABDATE':
        if (customLabel(p) !== undefined && labelOf(customLabel(p)!) === 'anniversary' && !first.has('anniversary') && dateOf(p) !== null)
          firstOf('anniversary', index);
        return;
      case 'X-ANDROID-CUSTOM': {
        // Android's own rows: a nickname (`…/nickname;Nick;…`) and an anniversary (`…/contact_event;DATE;1;…`).
        const [kind = '', value = '', type = ''] = splitValue(p.value, ';', 3).map((c) => unescapeText(c).trim());
        if (kind === 'vnd.android.cursor.item/nickname' && value !== '') firstOf('nickname', index);
        else if (kind === 'vnd.android.cursor.item/contact_event' && type === '1' && !first.has('anniversary') && dateOfText(value, p) !== null)
          firstOf('anniversary', index);
        return;
      }
      default:
        if (ANNIVERSARY_PROPERTIES.has(p.name) && !first.has('anniversary') && dateOf(p) !== null) firstOf('anniversary', index);
    }
  };
  properties.forEach((p, index) => {
    visit(p, index);
  });

  const at = (kind: ScalarKind) => {
    const index = first.get(kind);
    return index === undefined ? undefined : properties[index];
  };
  const n = at('name')
    ? splitValue(at('name')!.value, ';', 5).map((c) =>
        cut(
          splitValue(c, ',')
            .map((v) => unescapeText(v).trim())
            .filter(Boolean)
            .join(' '),
          NAME_MAX,
        ),
      )
    : [];
  const [family = '', given = '', middleName = '', prefix = '', suffix = ''] = n;
  const fn = at('fn') ? textOf(at('fn')!) : '';
  const org = at('org') ? splitValue(at('org')!.value, ';', 2).map((c) => cut(unescapeText(c).trim(), ORGANIZATION_MAX)) : [];
  const [organization = '', department = ''] = org;

  // A company's card has an organization and no first name; a card with neither a given name
  // nor a company mark goes by its FN (a person written as one string), else its family name.
  let firstName = given;
  let lastName = family;
  if (given === '') {
    if (company && organization !== '') firstName = '';
    else if (fn !== '' && fn !== organization) [firstName, lastName] = [cut(fn, NAME_MAX), ''];
    else if (organization !== '') firstName = '';
    else if (family !== '') [firstName, lastName] = [family, ''];
  }
  const named = firstName !== '' || organization !== '';

  const entries = <T>(kind: ListKind) => {
    const sorted = [...lists[kind]].sort((a, b) => a.rank - b.rank);
    sorted.slice(0, LIST_MAX).forEach((e) => {
      roles[e.index] = { kind, entry: e.entry, rank: e.rank } as Role;
    });
    return sorted.slice(0, LIST_MAX).map((e) => e.entry) as T[];
  };

  const fields: ContactFields = {
    firstName,
    lastName,
    middleName,
    prefix,
    suffix,
    nickname: at('nickname') ? nicknameOf(at('nickname')!) : '',
    organization,
    department,
    jobTitle: at('title') ? cut(textOf(at('title')!), ORGANIZATION_MAX) : '',
    emails: entries<LabelledValue>('emails'),
    phones: entries<LabelledValue>('phones'),
    addresses: entries<PostalAddress>('addresses'),
    urls: entries<LabelledValue>('urls'),
    birthday: at('bday') ? dateOf(at('bday')!) : null,
    anniversary: at('anniversary') ? dateOf(at('anniversary')!) : null,
    notes: at('note') ? cutNotes(textOf(at('note')!)) : null,
    labels: uniqueLabels(categories).slice(0, LABELS_MAX),
  };
  const name = fn || [given, family].filter(Boolean).join(' ') || organization || null;
  return { fields, roles, name, named, group: groupCard ? { members } : null };
}

/** The name a card is shown by when it is written from the fields (FN). */
export function displayName(fields: ContactFields): string {
  return (
    [fields.prefix, fields.firstName, fields.middleName, fields.lastName, fields.suffix].filter(Boolean).join(' ') || fields.organization || fields.nickname
  );
}

/** A text value decoded (leniently) and trimmed. */
export function textOf(p: CardProperty): string {
  return unescapeText(p.value).trim();
}

/**
 * One line of at most `max` code points, as the model's one-line fields are: line breaks become
 * `, ` (a street written on two lines) and tabs a space. The card keeps the value as it was while
 * the field is unchanged.
 */
function cut(value: string, max: number): string {
  const text = /[\r\n\t]/.test(value) ? oneLine(value) : value;
  if (text.length <= max) return text;
  const points = [...text.slice(0, max * 2)];
  return points.length <= max ? text : points.slice(0, max).join('').trim();
}

/**
 * Each run of line breaks, with the blanks on either side of it, as `, `; tabs as spaces. By hand:
 * the pattern `[ \t]*[\r\n]+[ \t]*` backtracks over a long run of blanks at every position in it,
 * so its time grows with the square of the run (vcard-import-linearity.test.ts holds the shape).
 */
function oneLine(value: string): string {
  const lines = value.split(/[\r\n]+/);
  const isBlank = (c: number) => c === 0x20 || c === 0x09;
  return lines
    .map((line, i) => {
      let start = 0;
      let end = line.length;
      if (i > 0) while (start < end && isBlank(line.charCodeAt(start))) start++;
      if (i < lines.length - 1) while (end > start && isBlank(line.charCodeAt(end - 1))) end--;
      return line.slice(start, end);
    })
    .join(', ')
    .replace(/\t/g, ' ');
}

/** Notes may span lines: cut only (at most NOTES_MAX code points); null when empty. */
function cutNotes(text: string): string | null {
  const points = text.length <= NOTES_MAX ? null : [...text.slice(0, NOTES_MAX * 2)];
  const cutText = points === null || points.length <= NOTES_MAX ? text : points.slice(0, NOTES_MAX).join('').trim();
  return cutText === '' ? null : cutText;
}

/** The TYPE values of a property, lower-cased: `TYPE=work,voice`, `TYPE="work,voice"` and repeated TYPEs alike. */
export function typesOf(p: CardProperty): string[] {
  // A loop, not filter/flatMap: every card's every property asks, on import and on export.
  const types: string[] = [];
  for (const q of p.params) {
    if (q.name !== 'TYPE') continue;
    for (const value of q.values) {
      if (value.includes(',')) for (const part of value.split(',')) types.push(part.trim().toLowerCase());
      else types.push(value.trim().toLowerCase());
    }
  }
  return types;
}

/** Lower is preferred: 4.0 `PREF=1`..`100`, 3.0 `TYPE=pref` as 1, else after every preferred one. */
function rankOf(p: CardProperty): number {
  const pref = Number(p.params.find((q) => q.name === 'PREF')?.values[0]);
  if (Number.isInteger(pref) && pref >= 1 && pref <= 100) return pref;
  return typesOf(p).includes('pref') ? 1 : 101;
}

/** An X-ABLabel as a label: Apple's built-in forms mapped, custom text kept (cut to the model's length). */
export function labelOf(raw: string): string {
  const apple = APPLE_FORM.exec(raw);
  if (apple) return APPLE_LABELS[apple[1]!.toLowerCase()] ?? cut(apple[1]!, LABEL_MAX);
  return cut(raw, LABEL_MAX);
}

function entryLabel(p: CardProperty, custom: string | undefined, known: readonly string[], fromTypes: (types: string[]) => string): string {
  let label = custom === undefined ? '' : labelOf(custom);
  if (label === '' || hasControlCharacters(label)) label = fromTypes(typesOf(p));
  if (label === 'other') {
    // Android writes a custom label as a type of its own (`TEL;X-Work Mobile:`).
    const own = p.params
      .filter((q) => q.name === 'TYPE')
      .flatMap((q) => q.values)
      .find((v) => /^x-./i.test(v.trim()));
    if (own !== undefined) label = cut(own.trim().slice(2), LABEL_MAX);
  }
  return known.includes(label.toLowerCase()) ? label.toLowerCase() : label;
}

function typeLabel(types: string[]): string {
  if (types.includes('work')) return 'work';
  if (types.includes('home')) return 'home';
  return 'other';
}

function phoneTypeLabel(types: string[]): string {
  if (types.includes('cell') || types.includes('mobile') || types.includes('iphone')) return 'mobile';
  if (types.includes('fax')) return 'fax';
  if (types.includes('pager')) return 'pager';
  if (types.includes('main')) return 'main';
  return typeLabel(types);
}

/** A number as written, from a `tel:` URI too: its parameters dropped but for an extension. */
function phoneOf(value: string): string {
  const number = value.replace(/^tel:/i, '');
  const semicolon = number.indexOf(';');
  const ext = semicolon < 0 ? null : /;ext=(\d{1,10})(?:;|$)/i.exec(number.slice(semicolon));
  const main = semicolon < 0 ? number : number.slice(0, semicolon);
  return `${main}${ext ? `;ext=${ext[1]}` : ''}`.replace(/\s+/g, ' ').trim();
}

function isWebUrl(value: string): boolean {
  if (value.length > URL_MAX || /\s/.test(value) || hasControlCharacters(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function nicknameOf(p: CardProperty): string {
  if (p.name === 'X-ANDROID-CUSTOM') return cut(unescapeText(splitValue(p.value, ';', 2)[1] ?? '').trim(), NAME_MAX);
  const names = splitValue(p.value, ',').map((v) => unescapeText(v).trim());
  return cut(names.filter(Boolean).join(', '), NAME_MAX);
}

/** `YYYY-MM-DD` or `--MM-DD` from BDAY's forms (Apple's 1604 for no year included); null for anything else. */
export function dateOf(p: CardProperty): string | null {
  if (p.params.some((q) => q.name === 'VALUE' && q.values[0]?.toLowerCase() === 'text')) return null;
  if (p.name === 'X-ANDROID-CUSTOM') return dateOfText(unescapeText(splitValue(p.value, ';', 2)[1] ?? '').trim(), p);
  return dateOfText(textOf(p), p);
}

function dateOfText(value: string, p: CardProperty): string | null {
  if (value.length > 40) return null;
  const full = /^(\d{4})-?(\d{2})-?(\d{2})(?:T[0-9:+\-Z.]*)?$/.exec(value);
  if (full) {
    const [, year, month, day] = full;
    const omitYear = p.params.find((q) => q.name === 'X-APPLE-OMIT-YEAR')?.values[0];
    return year === APPLE_NO_YEAR || year === omitYear ? `--${month}-${day}` : `${year}-${month}-${day}`;
  }
  const yearless = /^--(\d{2})-?(\d{2})$/.exec(value);
  return yearless ? `--${yearless[1]}-${yearless[2]}` : null;
}
