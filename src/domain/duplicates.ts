import {
  ADDRESS_PARTS,
  type Contact,
  type ContactFields,
  emailKeysOf,
  fullNameKey,
  LABELS_MAX,
  LIST_MAX,
  labelKey,
  type LabelledValue,
  type PostalAddress,
  phoneDigits,
  searchKey,
} from './contact.js';
import { emailKey } from './validation.js';

/**
 * Why contacts were grouped as duplicates, strongest first: a shared email says "the same person"
 * more surely than a shared phone (a household's landline), which says it more surely than the same
 * name (two John Smiths).
 */
export type DuplicateReason = 'email' | 'phone' | 'name';

const STRENGTH: Record<DuplicateReason, number> = { email: 0, phone: 1, name: 2 };

/** What duplicates compare of one contact: all a scan of the whole book keeps of it. */
export interface DuplicateKeys {
  id: string;
  emails: string[];
  phones: string[];
  /** fullNameKey; `""` (no name) matches nothing. */
  name: string;
}

/** Digits a phone key keeps: enough to tell numbers apart, few enough to leave a country code or trunk prefix out. */
export const PHONE_KEY_DIGITS = 9;
/** Numbers with fewer digits than this are too short to compare (and the model never stores them). */
const PHONE_KEY_MIN_DIGITS = 5;

/**
 * A phone as duplicates compare it: its digits without the extension, and of a number of nine or
 * more digits only the last nine, so that one number written with and without its country code or
 * trunk prefix matches (`+1 555 010 0100`, `1-555-010-0100` and `(555) 010-0100`; `+44 20 7946 0958`
 * and `020 7946 0958`). Two numbers of different countries that end in the same nine digits would
 * match too, which in one person's book is far rarer than the same number written two ways.
 * Shorter numbers (local, 7 digits) match only when all their digits are the same. Null when too
 * short to compare.
 */
export function phoneKey(phone: string): string | null {
  const number = phone.split(/x|ext|;/i)[0] ?? '';
  const digits = phoneDigits(number);
  if (digits.length < PHONE_KEY_MIN_DIGITS) return null;
  return digits.length > PHONE_KEY_DIGITS ? digits.slice(-PHONE_KEY_DIGITS) : digits;
}

export function duplicateKeysOf(contact: Pick<Contact, 'id' | 'emails' | 'phones' | 'firstName' | 'middleName' | 'lastName'>): DuplicateKeys {
  return {
    id: contact.id,
    emails: emailKeysOf(contact),
    phones: [...new Set(contact.phones.map((p) => phoneKey(p.value)).filter((k): k is string => k !== null))],
    name: fullNameKey(contact),
  };
}

export interface DuplicateGroup {
  reason: DuplicateReason;
  /** In the order the contacts were given (the book's: oldest first). */
  ids: string[];
}

/**
 * Groups of contacts that share an email, a phone (phoneKey) or a full name (fullNameKey). Links
 * are transitive: A and B sharing an email and B and C a phone make one group of three, so that a
 * contact appears in at most one group. A group's reason is the strongest link among its members
 * (email, then phone, then name). Groups come in the order of their first member, contacts in the
 * order added: the same book always gives the same answer.
 *
 * Contacts are added one at a time (a page of the book at a time, so the work is spread over the
 * scan instead of done at its end); the whole is linear in the keys (union-find with path halving
 * and union by size).
 */
export class DuplicateGrouper {
  private readonly ids: string[] = [];
  private readonly parent: number[] = [];
  private readonly size: number[] = [];
  private readonly reason: (DuplicateReason | null)[] = [];
  /** Each key of each kind with the first contact that had it. */
  private readonly firstWith = { email: new Map<string, number>(), phone: new Map<string, number>(), name: new Map<string, number>() };

  add(contact: DuplicateKeys): void {
    const i = this.ids.length;
    this.ids.push(contact.id);
    this.parent.push(i);
    this.size.push(1);
    this.reason.push(null);
    this.linkAll(i, 'email', contact.emails);
    this.linkAll(i, 'phone', contact.phones);
    if (contact.name !== '') this.linkAll(i, 'name', [contact.name]);
  }

  groups(): DuplicateGroup[] {
    const groups = new Map<number, DuplicateGroup>();
    this.ids.forEach((id, i) => {
      const r = this.root(i);
      if (this.size[r]! < 2) return;
      let group = groups.get(r);
      if (!group) {
        group = { reason: this.reason[r]!, ids: [] };
        groups.set(r, group);
      }
      group.ids.push(id);
    });
    // A Map keeps insertion order: the order of each group's first member.
    return [...groups.values()];
  }

  private linkAll(i: number, kind: DuplicateReason, keys: readonly string[]): void {
    const firstWith = this.firstWith[kind];
    for (const key of keys) {
      const first = firstWith.get(key);
      if (first === undefined) firstWith.set(key, i);
      else this.link(first, i, kind);
    }
  }

  private root(i: number): number {
    const parent = this.parent;
    let at = i;
    while (parent[at] !== at) {
      parent[at] = parent[parent[at]!]!;
      at = parent[at]!;
    }
    return at;
  }

  private link(a: number, b: number, why: DuplicateReason): void {
    let [ra, rb] = [this.root(a), this.root(b)];
    if (ra !== rb) {
      if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
      this.parent[rb] = ra;
      this.size[ra]! += this.size[rb]!;
      this.reason[ra] = stronger(this.reason[ra]!, this.reason[rb]!);
    }
    this.reason[ra] = stronger(this.reason[ra]!, why);
  }
}

const stronger = (a: DuplicateReason | null, b: DuplicateReason | null) => (a === null ? b : b === null || STRENGTH[a] <= STRENGTH[b] ? a : b);

/** The groups of these contacts (DuplicateGrouper over all of them, in order). */
export function findDuplicateGroups(contacts: readonly DuplicateKeys[]): DuplicateGroup[] {
  const grouper = new DuplicateGrouper();
  for (const contact of contacts) grouper.add(contact);
  return grouper.groups();
}

/** The one-line text fields a merge fills when the kept contact has them empty. */
const TEXT_FIELDS = ['firstName', 'lastName', 'middleName', 'prefix', 'suffix', 'nickname', 'organization', 'department', 'jobTitle'] as const;
const OPTIONAL_FIELDS = ['birthday', 'anniversary', 'notes'] as const;

/** Entries without repeats by `key`, the first kept (with its label), at most `max`. */
function united<T>(lists: readonly (readonly T[])[], key: (item: T) => string, max: number): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const list of lists) {
    for (const item of list) {
      const k = key(item);
      if (seen.has(k)) continue;
      seen.add(k);
      if (out.length < max) out.push(item);
    }
  }
  return out;
}

const addressKey = (a: PostalAddress) => ADDRESS_PARTS.map((part) => searchKey(a[part].trim()).replace(/\s+/g, ' ')).join('\u0000');
const urlKey = (u: LabelledValue) => u.value.trim().replace(/\/+$/, '').toLowerCase();

/**
 * The fields of `kept` merged with those of `others`, in their order: every text field, date and
 * note `kept` leaves empty takes the first value an other has; the lists are united without
 * repeats (the same email compared case-insensitively, the same phone digits, the same address
 * part for part ignoring case, accents and spacing, the same URL but for case and a trailing
 * slash, the same label case-insensitively), `kept`'s entries first, each repeat keeping the first
 * one's label. A list that would pass its limit (LIST_MAX entries, LABELS_MAX labels) keeps its
 * first entries: `kept`'s own, then the others' in order.
 */
export function mergeContactFields(kept: ContactFields, others: readonly ContactFields[]): ContactFields {
  const all = [kept, ...others];
  const merged: ContactFields = { ...kept };
  for (const field of TEXT_FIELDS) merged[field] = all.find((c) => c[field] !== '')?.[field] ?? '';
  for (const field of OPTIONAL_FIELDS) merged[field] = all.find((c) => c[field] !== null)?.[field] ?? null;
  merged.emails = united(
    all.map((c) => c.emails),
    (e) => emailKey(e.value),
    LIST_MAX,
  );
  merged.phones = united(
    all.map((c) => c.phones),
    (p) => phoneDigits(p.value),
    LIST_MAX,
  );
  merged.addresses = united(
    all.map((c) => c.addresses),
    addressKey,
    LIST_MAX,
  );
  merged.urls = united(
    all.map((c) => c.urls),
    urlKey,
    LIST_MAX,
  );
  merged.labels = united(
    all.map((c) => c.labels),
    labelKey,
    LABELS_MAX,
  );
  return merged;
}
