import { randomUUID } from 'node:crypto';
import type { ContactGroup, ContactGroupRepository, GroupMember, NewGroup } from '../../src/application/ports/contact-group-repository.js';
import { ContactChanged } from '../../src/domain/contact.errors.js';
import { labelKey } from '../../src/domain/contact.js';
import type { InMemoryContactRepository, StoredContact } from './in-memory-repositories.js';
import { Table } from './in-memory-repositories.js';

type StoredGroup = ContactGroup & { userId: string; changeSeq: number; deleted: boolean; deletedAt?: Date };

/**
 * Group cards in memory, numbered with the contacts' book counter. The contacts' fake shows each
 * of its writes to `followMembers`, which moves the groups a contact joins or leaves as the knex
 * adapter's trigger does.
 */
export class InMemoryContactGroupRepository implements ContactGroupRepository {
  table = new Table<StoredGroup>();
  /** The book's contacts (set by inMemoryRepositories, and for a unit of work's copies). */
  contacts: () => InMemoryContactRepository = () => {
    throw new Error('the group cards are not linked to a contacts store');
  };

  async lockBook(ownerId: string) {
    this.nextChange(ownerId);
  }

  async list(ownerId: string) {
    return this.live(ownerId).sort((a, b) => labelKey(a.label).localeCompare(labelKey(b.label)));
  }
  async byLabel(ownerId: string, label: string) {
    return this.live(ownerId).find((g) => labelKey(g.label) === labelKey(label)) ?? null;
  }
  async byNames(ownerId: string, names: readonly string[]) {
    return this.live(ownerId).filter((g) => names.includes(g.name));
  }
  async byUid(ownerId: string, uid: string) {
    return this.live(ownerId).find((g) => g.uid === uid) ?? null;
  }
  async save(ownerId: string, group: NewGroup, id?: string, expectedVersions?: readonly number[]) {
    const existing = id === undefined ? null : this.stored(ownerId, id);
    if (id !== undefined && !existing) return null;
    if (existing && expectedVersions && !expectedVersions.includes(existing.version)) throw new ContactChanged();
    const target = id ?? randomUUID();
    const name = group.name ?? `${target}.vcf`;
    const change = this.nextChange(ownerId);
    for (const g of this.table.all()) {
      if (g.userId !== ownerId || g.id === target) continue;
      if (g.deleted && g.name === name) this.table.rows.delete(g.id);
      else if (!g.deleted && (g.uid === group.uid || labelKey(g.label) === labelKey(group.label) || g.name === name)) {
        this.table.put({ ...g, deleted: true, deletedAt: new Date(), changeSeq: change });
      }
    }
    const now = new Date().toISOString();
    const row: StoredGroup = {
      id: target,
      userId: ownerId,
      uid: group.uid,
      label: group.label,
      name,
      card: group.card,
      version: existing ? existing.version + 1 : 1,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      changeSeq: change,
      deleted: false,
    };
    this.table.put(row);
    return plain(row);
  }
  async rename(ownerId: string, from: string, to: string) {
    const source = await this.byLabel(ownerId, from);
    if (!source) return false;
    const target = await this.byLabel(ownerId, to);
    const stored = this.stored(ownerId, source.id)!;
    const change = this.nextChange(ownerId);
    if (target && target.id !== source.id) this.table.put({ ...stored, deleted: true, deletedAt: new Date(), changeSeq: change });
    else this.table.put({ ...stored, label: to, version: stored.version + 1, changeSeq: change, updatedAt: new Date().toISOString() });
    return true;
  }
  async delete(ownerId: string, id: string, expectedVersions?: readonly number[]) {
    const stored = this.stored(ownerId, id);
    if (!stored) return false;
    if (expectedVersions && !expectedVersions.includes(stored.version)) throw new ContactChanged();
    this.table.put({ ...stored, deleted: true, deletedAt: new Date(), changeSeq: this.nextChange(ownerId) });
    return true;
  }
  async deleteByLabel(ownerId: string, label: string) {
    const group = await this.byLabel(ownerId, label);
    return group !== null && (await this.delete(ownerId, group.id));
  }
  async changedBetween(ownerId: string, after: number | null, upTo: number) {
    const rows = this.table
      .all()
      .filter((g) => g.userId === ownerId && g.changeSeq > (after ?? -1) && g.changeSeq <= upTo && (!g.deleted || after !== null))
      .sort((a, b) => a.changeSeq - b.changeSeq || a.id.localeCompare(b.id));
    return { live: rows.filter((g) => !g.deleted).map(plain), removed: rows.filter((g) => g.deleted).map((g) => g.name) };
  }
  async members(ownerId: string, label: string): Promise<GroupMember[]> {
    return (await this.membersOf(ownerId, [label])).get(labelKey(label)) ?? [];
  }
  async membersOf(ownerId: string, labels: readonly string[]): Promise<Map<string, GroupMember[]>> {
    const keys = new Set(labels.map(labelKey));
    const byLabel = new Map<string, GroupMember[]>();
    if (keys.size === 0) return byLabel;
    for (const member of await this.book(ownerId)) {
      for (const key of new Set(member.labels.map(labelKey))) {
        if (!keys.has(key)) continue;
        const members = byLabel.get(key);
        if (members) members.push(member);
        else byLabel.set(key, [member]);
      }
    }
    return byLabel;
  }

  /**
   * What the database's trigger does for a contact's write: each live group of the book the
   * contact joins or leaves (by its labels, while live) takes the write's change number and a new
   * version, once per write.
   */
  followMembers(before: StoredContact | null, after: StoredContact): void {
    const keysOf = (c: StoredContact | null) => new Set(c && !c.deletedAt ? c.labels.map(labelKey) : []);
    const [was, is] = [keysOf(before), keysOf(after)];
    const change = after.changeSeq ?? 0;
    for (const g of this.table.all()) {
      if (g.userId !== after.userId || g.deleted || g.changeSeq === change) continue;
      const key = labelKey(g.label);
      if (was.has(key) !== is.has(key)) this.table.put({ ...g, changeSeq: change, version: g.version + 1, updatedAt: new Date().toISOString() });
    }
  }

  /** Forgets the deleted groups' markers older than `before` (the trash purge); answers them, for the book's oldest change. */
  forgetDeleted(before: Date): { userId: string; changeSeq: number }[] {
    const gone = this.table.all().filter((g) => g.deleted && g.deletedAt! < before);
    for (const g of gone) this.table.rows.delete(g.id);
    return gone;
  }
  async contactsByUids(ownerId: string, uids: readonly string[]): Promise<GroupMember[]> {
    const keys = new Set(uids.map((u) => u.toLowerCase()));
    return (await this.book(ownerId)).filter((m) => keys.has(m.uid.toLowerCase()));
  }

  private async book(ownerId: string): Promise<GroupMember[]> {
    const all: GroupMember[] = [];
    for await (const batch of this.contacts().listAll(ownerId, 500)) {
      for (const c of batch) all.push({ id: c.id, uid: c.card?.uid ?? c.id, labels: c.labels });
    }
    return all;
  }
  private live(ownerId: string): ContactGroup[] {
    return this.table
      .all()
      .filter((g) => g.userId === ownerId && !g.deleted)
      .map(plain);
  }
  private stored(ownerId: string, id: string): StoredGroup | null {
    const g = this.table.get(id);
    return g && g.userId === ownerId && !g.deleted ? g : null;
  }
  private nextChange(ownerId: string): number {
    const books = this.contacts().books;
    const book = books.get(ownerId) ?? { last: 0, oldest: 0 };
    book.last += 1;
    books.set(ownerId, book);
    return book.last;
  }
}

function plain({ userId: _u, changeSeq: _c, deleted: _d, deletedAt: _a, ...group }: StoredGroup): ContactGroup {
  return group;
}
