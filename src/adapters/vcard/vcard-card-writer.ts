import type { CarriedImage, VCardVersion } from '../../application/ports/contact-card-format.js';
import type { CardProperty, Contact, ContactFields, KeptCard, LabelledValue, PostalAddress } from '../../domain/contact.js';
import { APPLE_NO_YEAR, type CardFields, cardFields, displayName, type ListKind, type Role, type ScalarKind } from './vcard-card-fields.js';
import { escapeText, foldLine, formatContentLine, unescapeText } from './vcard-content-lines.js';

/**
 * One contact as one card. With a kept card (import, CardDAV), its properties are written back in
 * their order, each as it was (group, parameters, value), unless it maps to a field that no longer
 * holds the value read from it: such a property is left out and the field's value written fresh in
 * its place (where the first one of its kind left out was, else after the last one kept, else at
 * the end; FN and N at the top). Entries of
 * a list are matched by value and label, each used once; if what is kept and what is new would
 * read back in another order than the contact's list, the whole list is written fresh, the first
 * entry marked preferred. Without a kept card every field is written fresh.
 */
export function writeCard(contact: Contact, version: VCardVersion, photo?: CarriedImage | null): string {
  const v4 = version === '4.0';
  // A photo given replaces a picture the card still holds inline (one import could not use).
  const properties = (contact.card?.properties ?? []).filter((p) => !SKIPPED.has(p.name) && !(photo && isInlinePhoto(p)));
  const read = properties.length > 0 ? cardFields(properties) : null;
  const keep = properties.map(() => true);
  const fresh = new Fresh(v4, properties);

  const scalars = scalarChanges(contact, read);
  read?.roles.forEach((role, i) => {
    if (role !== null && 'kind' in role && isScalar(role.kind)) keep[i] = !scalars.changed.has(role.kind as ScalarKind);
  });
  for (const kind of SCALAR_ORDER) {
    if (read?.roles.some((role, i) => role?.kind === kind && keep[i])) continue;
    if (kind === 'company') {
      if (scalars.addCompany) fresh.scalar(kind, contact);
      continue;
    }
    // A kind the card never had stays out while its field is unchanged, but for FN (and 3.0's N),
    // which a card must have.
    const had = read?.roles.some((role) => role?.kind === kind);
    if (read === null || had || scalars.changed.has(kind) || kind === 'fn' || (kind === 'name' && !v4)) fresh.scalar(kind, contact);
  }
  for (const kind of LIST_ORDER) listChanges(kind, contact, read, keep, fresh);
  labelChanges(contact, read, keep, fresh);
  dropOrphanLabels(properties, keep);

  const lines = ['BEGIN:VCARD', `VERSION:${version}`, `UID:${escapeText(contact.card?.uid ?? contact.id)}`];
  const slots = fresh.slots(read, keep);
  properties.forEach((p, i) => {
    lines.push(...(slots.get(i) ?? []));
    // A kept value never holds a line break (the reader unfolds and escapes); one from elsewhere would end the line.
    if (keep[i]) lines.push(formatContentLine(/[\r\n]/.test(p.value) ? { ...p, value: p.value.replace(/\r\n|[\r\n]/g, '\\n') } : p));
  });
  lines.push(...(slots.get(properties.length) ?? []));
  if (photo) lines.push(photoLine(photo, v4));
  lines.push(`REV:${contact.updatedAt.slice(0, 19).replace(/[-:]/g, '')}Z`, 'END:VCARD');
  return lines.map(foldLine).join('');
}

/** Written by the writer itself, whatever a kept card says. */
const SKIPPED = new Set(['VERSION', 'UID', 'REV', 'PRODID', 'BEGIN', 'END']);

const SCALAR_ORDER: ScalarKind[] = ['fn', 'name', 'company', 'nickname', 'org', 'title', 'bday', 'anniversary', 'note'];
const LIST_ORDER: ListKind[] = ['emails', 'phones', 'addresses', 'urls'];
/** The order fresh lines of several kinds take at one place. */
const KIND_ORDER = [...SCALAR_ORDER.slice(0, 6), ...LIST_ORDER, ...SCALAR_ORDER.slice(6), 'categories'];

function isScalar(kind: string): boolean {
  return (SCALAR_ORDER as string[]).includes(kind);
}

const same = (a: ContactFields, b: ContactFields, keys: (keyof ContactFields)[]) => keys.every((k) => a[k] === b[k]);

function scalarChanges(contact: Contact, read: CardFields | null): { changed: Set<ScalarKind>; addCompany: boolean } {
  const changed = new Set<ScalarKind>();
  if (read === null) return { changed, addCompany: contact.firstName === '' };
  const was = read.fields;
  if (!same(contact, was, ['firstName', 'lastName', 'middleName', 'prefix', 'suffix'])) changed.add('name');
  if (displayName(contact) !== displayName(was)) changed.add('fn');
  if (!same(contact, was, ['organization', 'department'])) changed.add('org');
  if (contact.jobTitle !== was.jobTitle) changed.add('title');
  if (contact.nickname !== was.nickname) changed.add('nickname');
  if (contact.birthday !== was.birthday) changed.add('bday');
  if (contact.anniversary !== was.anniversary) changed.add('anniversary');
  if (contact.notes !== was.notes) changed.add('note');
  // A company mark goes when the card gains a first name (a `KIND:org` card that had one keeps it).
  if (contact.firstName !== '' && was.firstName === '') changed.add('company');
  // A company mark is added only when the card did not read as a company's already.
  return { changed, addCompany: contact.firstName === '' && was.firstName !== '' };
}

function sameEntry(a: LabelledValue | PostalAddress, b: LabelledValue | PostalAddress): boolean {
  const x = a as unknown as Record<string, string>;
  const y = b as unknown as Record<string, string>;
  return Object.keys(x).length === Object.keys(y).length && Object.keys(x).every((k) => x[k] === y[k]);
}

function listChanges(kind: ListKind, contact: Contact, read: CardFields | null, keep: boolean[], fresh: Fresh): void {
  const wanted = contact[kind] as (LabelledValue | PostalAddress)[];
  const used = wanted.map(() => false);
  const mine: { index: number; rank: number; entry: LabelledValue | PostalAddress }[] = [];
  read?.roles.forEach((role, i) => {
    if (role?.kind !== kind) return;
    const r = role as Extract<Role, { rank: number }>;
    const match = wanted.findIndex((w, j) => !used[j] && sameEntry(w, r.entry));
    if (match < 0) keep[i] = false;
    else {
      used[match] = true;
      mine.push({ index: i, rank: r.rank, entry: r.entry });
    }
  });
  const added = wanted.filter((_, j) => !used[j]);
  // The order a reader will find: kept entries by rank, the fresh ones at their place.
  const slot = fresh.slotOf(kind, read, keep);
  const firstIsNew = added.length > 0 && added[0] === wanted[0] && wanted.length > 1;
  const order = [
    ...mine.map((m) => ({ position: m.index, rank: m.rank, entry: m.entry })),
    // Fresh lines go just before the property at `slot`.
    ...added.map((entry, j) => ({ position: slot - 1 + (j + 1) / (added.length + 2), rank: firstIsNew && j === 0 ? 1 : 101, entry })),
  ]
    .sort((a, b) => a.position - b.position)
    .sort((a, b) => a.rank - b.rank);
  const inOrder = order.length === wanted.length && order.every((o, j) => sameEntry(o.entry, wanted[j]!));
  if (inOrder) {
    added.forEach((entry, j) => {
      fresh.entry(kind, entry, firstIsNew && j === 0);
    });
    return;
  }
  for (const m of mine) keep[m.index] = false;
  wanted.forEach((entry, j) => {
    fresh.entry(kind, entry, j === 0 && wanted.length > 1);
  });
}

function labelChanges(contact: Contact, read: CardFields | null, keep: boolean[], fresh: Fresh): void {
  const wanted = new Set(contact.labels);
  const covered = new Set<string>();
  read?.roles.forEach((role, i) => {
    if (role?.kind !== 'categories') return;
    if (role.labels.every((l) => wanted.has(l))) for (const l of role.labels) covered.add(l);
    else keep[i] = false;
  });
  const added = contact.labels.filter((l) => !covered.has(l));
  if (added.length > 0) fresh.add('categories', `CATEGORIES:${added.map(escapeText).join(',')}`);
}

/** An X-ABLabel whose group has nothing else left labels nothing: it goes with the rest. */
function dropOrphanLabels(properties: CardProperty[], keep: boolean[]): void {
  const groups = new Map<string, { labels: number[]; others: number[] }>();
  properties.forEach((p, i) => {
    if (p.group === null) return;
    const key = p.group.toLowerCase();
    const g = groups.get(key) ?? { labels: [], others: [] };
    (p.name === 'X-ABLABEL' ? g.labels : g.others).push(i);
    groups.set(key, g);
  });
  for (const g of groups.values()) {
    if (g.others.length > 0 && g.others.every((i) => !keep[i])) for (const i of g.labels) keep[i] = false;
  }
}

const PHONE_TYPES: Record<string, string> = { mobile: 'cell', home: 'home', work: 'work', main: 'main', fax: 'fax', pager: 'pager' };
const PLACE_TYPES: Record<string, string> = { home: 'home', work: 'work' };

/** The lines written from fields, by kind, and where they go. */
class Fresh {
  private readonly lines = new Map<string, string[]>();
  private nextItem: number;

  constructor(
    private readonly v4: boolean,
    properties: CardProperty[],
  ) {
    let max = 0;
    for (const p of properties) {
      const n = /^item(\d{1,6})$/i.exec(p.group ?? '');
      if (n) max = Math.max(max, Number(n[1]));
    }
    this.nextItem = max + 1;
  }

  add(kind: string, ...lines: string[]): void {
    const list = this.lines.get(kind) ?? [];
    list.push(...lines);
    this.lines.set(kind, list);
  }

  scalar(kind: ScalarKind, c: Contact): void {
    const text = escapeText;
    switch (kind) {
      case 'fn':
        this.add(kind, `FN:${text(displayName(c))}`);
        return;
      case 'name':
        this.add(kind, `N:${[c.lastName, c.firstName, c.middleName, c.prefix, c.suffix].map(text).join(';')}`);
        return;
      case 'company':
        this.add(kind, this.v4 ? 'KIND:org' : 'X-ABShowAs:COMPANY');
        return;
      case 'nickname':
        if (c.nickname !== '') this.add(kind, `NICKNAME:${text(c.nickname)}`);
        return;
      case 'org':
        if (c.organization !== '' || c.department !== '') this.add(kind, `ORG:${text(c.organization)}${c.department === '' ? '' : `;${text(c.department)}`}`);
        return;
      case 'title':
        if (c.jobTitle !== '') this.add(kind, `TITLE:${text(c.jobTitle)}`);
        return;
      case 'bday':
        if (c.birthday !== null) this.add(kind, dateLine('BDAY', c.birthday, this.v4));
        return;
      case 'anniversary':
        if (c.anniversary !== null) this.add(kind, dateLine(this.v4 ? 'ANNIVERSARY' : 'X-ANNIVERSARY', c.anniversary, this.v4));
        return;
      case 'note':
        if (c.notes !== null) this.add(kind, `NOTE:${text(c.notes)}`);
        return;
    }
  }

  entry(kind: ListKind, entry: LabelledValue | PostalAddress, preferred: boolean): void {
    const known = kind === 'phones' ? PHONE_TYPES : PLACE_TYPES;
    const types: string[] = [];
    if (kind === 'emails' && !this.v4) types.push('internet');
    const label = entry.label;
    const custom = label !== 'other' && known[label] === undefined;
    if (known[label] !== undefined) types.push(known[label]!);
    if (preferred && !this.v4) types.push('pref');
    const params = [...(types.length > 0 ? [`TYPE=${types.join(',')}`] : []), ...(preferred && this.v4 ? ['PREF=1'] : [])];
    if (kind === 'phones' && this.v4) params.push('VALUE=text');
    let value: string;
    if (kind === 'addresses') {
      const a = entry as PostalAddress;
      value = [a.poBox, a.extended, a.street, a.locality, a.region, a.postalCode, a.country].map(escapeText).join(';');
    } else if (kind === 'urls') value = (entry as LabelledValue).value;
    else value = escapeText((entry as LabelledValue).value);
    const name = { emails: 'EMAIL', phones: 'TEL', addresses: 'ADR', urls: 'URL' }[kind];
    const group = custom ? `item${this.nextItem++}.` : '';
    const line = `${group}${name}${params.map((p) => `;${p}`).join('')}:${value}`;
    if (custom) this.add(kind, line, `${group}X-ABLabel:${escapeText(label)}`);
    else this.add(kind, line);
  }

  /** Where the fresh lines of a kind go: before the first property of the kind left out, else after the last one kept, else at the top (names) or the end. */
  slotOf(kind: string, read: CardFields | null, keep: boolean[]): number {
    const roles = read?.roles ?? [];
    let lastKept = -1;
    for (let i = 0; i < roles.length; i += 1) {
      if (roles[i]?.kind !== kind) continue;
      if (!keep[i]) return i;
      lastKept = i;
    }
    if (lastKept >= 0) return lastKept + 1;
    return kind === 'fn' || kind === 'name' || kind === 'company' ? 0 : roles.length;
  }

  slots(read: CardFields | null, keep: boolean[]): Map<number, string[]> {
    const slots = new Map<number, string[]>();
    for (const kind of KIND_ORDER) {
      const lines = this.lines.get(kind);
      if (!lines) continue;
      const at = this.slotOf(kind, read, keep);
      slots.set(at, [...(slots.get(at) ?? []), ...lines]);
    }
    return slots;
  }
}

function dateLine(name: string, date: string, v4: boolean): string {
  const yearless = date.startsWith('--');
  const digits = date.replaceAll('-', '');
  if (!yearless) return `${name};VALUE=DATE:${digits}`;
  if (v4) return `${name};VALUE=DATE:--${digits}`;
  // vCard 3.0 has no day without a year; Apple's convention is what address books read.
  return `${name};X-APPLE-OMIT-YEAR=${APPLE_NO_YEAR};VALUE=DATE:${APPLE_NO_YEAR}${digits}`;
}

function photoLine(photo: CarriedImage, v4: boolean): string {
  const mediaType = photo.mediaType?.toLowerCase().startsWith('image/') ? photo.mediaType.toLowerCase() : 'image/jpeg';
  const base64 = Buffer.from(photo.bytes.buffer, photo.bytes.byteOffset, photo.bytes.byteLength).toString('base64');
  if (v4) return `PHOTO:data:${mediaType};base64,${base64}`;
  return `PHOTO;ENCODING=b;TYPE=${mediaType.slice('image/'.length).toUpperCase()}:${base64}`;
}

function isInlinePhoto(p: CardProperty): boolean {
  if (p.name !== 'PHOTO') return false;
  const encoding = p.params.find((q) => q.name === 'ENCODING')?.values[0]?.toLowerCase();
  return encoding === 'b' || encoding === 'base64' || /^data:/i.test(p.value);
}

const KIND_NAMES = new Set(['KIND', 'X-ADDRESSBOOKSERVER-KIND']);
const MEMBER_NAMES = new Set(['MEMBER', 'X-ADDRESSBOOKSERVER-MEMBER']);
const memberKey = (value: string) => value.replace(/^urn:uuid:/i, '').toLowerCase();

/**
 * A group card: its kept properties as they came, FN (and N, when the card has one) from the
 * label when it was renamed, the version's group mark (4.0 `KIND:group`, 3.0 Apple's
 * `X-ADDRESSBOOKSERVER-KIND:group`), and one member line per UID given, where the first kept
 * member line was: a member the card already named keeps its line as written; a new one gets
 * `MEMBER:urn:uuid:<uid>` (3.0: `X-ADDRESSBOOKSERVER-MEMBER`, as Apple writes).
 */
export function writeGroupCard(
  group: { uid: string; label: string; card: KeptCard; updatedAt: string },
  memberUids: readonly string[],
  version: VCardVersion,
): string {
  const v4 = version === '4.0';
  const properties = group.card.properties.filter((p) => !SKIPPED.has(p.name));
  const memberName = v4 ? 'MEMBER' : 'X-ADDRESSBOOKSERVER-MEMBER';
  const keptMembers = new Map<string, CardProperty>();
  for (const p of properties) if (p.name === memberName && !keptMembers.has(memberKey(p.value))) keptMembers.set(memberKey(p.value), p);
  const wanted = new Set(memberUids.map(memberKey));
  // Members the card named come first, in its order; new ones after.
  const members = [
    ...[...keptMembers.entries()].filter(([key]) => wanted.has(key)).map(([, p]) => formatContentLine(p)),
    ...memberUids.filter((uid) => !keptMembers.has(memberKey(uid))).map((uid) => `${memberName}:${/^urn:uuid:/i.test(uid) ? uid : `urn:uuid:${uid}`}`),
  ];
  const fn = properties.find((p) => p.name === 'FN');
  const renamed = !fn || unescapeText(fn.value) !== group.label;
  const lines = ['BEGIN:VCARD', `VERSION:${version}`, `UID:${escapeText(group.uid)}`];
  if (!fn) lines.push(`FN:${escapeText(group.label)}`);
  let kindWritten = false;
  let membersWritten = false;
  for (const p of properties) {
    if (KIND_NAMES.has(p.name)) {
      if (!kindWritten) lines.push(v4 ? 'KIND:group' : 'X-ADDRESSBOOKSERVER-KIND:group');
      kindWritten = true;
    } else if (MEMBER_NAMES.has(p.name)) {
      if (!membersWritten) lines.push(...members);
      membersWritten = true;
    } else if (p.name === 'FN' && renamed) lines.push(`FN:${escapeText(group.label)}`);
    else if (p.name === 'N' && renamed) lines.push(`N:${escapeText(group.label)};;;;`);
    else lines.push(formatContentLine(/[\r\n]/.test(p.value) ? { ...p, value: p.value.replace(/\r\n|[\r\n]/g, '\\n') } : p));
  }
  if (!kindWritten) lines.push(v4 ? 'KIND:group' : 'X-ADDRESSBOOKSERVER-KIND:group');
  if (!membersWritten) lines.push(...members);
  lines.push(`REV:${group.updatedAt.slice(0, 19).replace(/[-:]/g, '')}Z`, 'END:VCARD');
  return lines.map(foldLine).join('');
}
