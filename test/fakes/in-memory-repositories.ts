import { randomUUID } from 'node:crypto';
import {
  APP_PASSWORD_TOUCH_INTERVAL_MS,
  type AppPassword,
  type AppPasswordRepository,
  type NewAppPassword,
} from '../../src/application/ports/app-password-repository.js';
import type {
  AnyContact,
  ContactChange,
  ContactPage,
  ContactRepository,
  FeedChange,
  FeedPage,
  FeedVersion,
  LabelCount,
  NewContact,
  TakenEmails,
  TrashedContact,
} from '../../src/application/ports/contact-repository.js';

import type { DavResource, DavResourceRepository } from '../../src/application/ports/dav-resource-repository.js';
import type { Email } from '../../src/application/ports/mailer.js';
import type { OneTimeTokenRecord, OneTimeTokenRepository } from '../../src/application/ports/one-time-token-repository.js';
import type { OutboxMessage, OutboxRepository } from '../../src/application/ports/outbox-repository.js';
import { SESSION_TOUCH_INTERVAL_MS, type Session, type SessionRepository } from '../../src/application/ports/session-repository.js';
import type { Repositories, UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import type { NewUser, UserRepository } from '../../src/application/ports/user-repository.js';
import { isBirthdayWithin, nextBirthday } from '../../src/domain/birthdays.js';
import { ContactChanged, ContactEmailTaken } from '../../src/domain/contact.errors.js';
import {
  type Contact,
  type ContactFields,
  type ContactQuery,
  emailKeysOf,
  LABELS_MAX,
  labelKey,
  nameKey,
  nameKeysOf,
  nameSortKey,
  type StoredPhoto,
  searchPatterns,
  searchTextOf,
  uniqueLabels,
} from '../../src/domain/contact.js';
import type { TokenPurpose } from '../../src/domain/one-time-token.js';
import { InvalidSyncToken, type SyncPosition, SyncTokenExpired } from '../../src/domain/sync.js';
import { EmailTaken } from '../../src/domain/user.errors.js';
import type { User } from '../../src/domain/user.js';
import { emailKey } from '../../src/domain/validation.js';
import { EmailList } from './fakes.js';
import { InMemoryContactGroupRepository } from './in-memory-contact-group-repository.js';

/** Rows kept as copies, so a caller mutating what it got back cannot change what is stored. */
export class Table<T extends { id: string }> {
  rows = new Map<string, T>();
  get(id: string): T | null {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }
  put(row: T): T {
    this.rows.set(row.id, structuredClone(row));
    return structuredClone(row);
  }
  all(): T[] {
    return [...this.rows.values()].map((r) => structuredClone(r));
  }
  snapshot(): Map<string, T> {
    return structuredClone(this.rows);
  }
}

export class InMemoryUserRepository implements UserRepository {
  table = new Table<User>();

  async create(user: NewUser): Promise<User> {
    if (this.table.all().some((u) => emailKey(u.email) === emailKey(user.email))) throw new EmailTaken();
    return this.table.put({ ...user, id: randomUUID(), emailVerified: false, tokenVersion: 0, createdAt: new Date() });
  }
  async findById(id: string) {
    return this.table.get(id);
  }
  async findByEmail(email: string) {
    return this.table.all().find((u) => emailKey(u.email) === emailKey(email)) ?? null;
  }
  async markEmailVerified(id: string) {
    return this.update(id, (u) => ({ ...u, emailVerified: true }));
  }
  async setPassword(id: string, passwordHash: string) {
    return this.update(id, (u) => ({ ...u, passwordHash, tokenVersion: u.tokenVersion + 1 }));
  }
  async setAvatarUrl(id: string, avatarUrl: string) {
    return this.update(id, (u) => ({ ...u, avatarUrl }));
  }
  async setUsername(id: string, username: string) {
    return this.update(id, (u) => ({ ...u, username }));
  }
  async setEmail(id: string, email: string) {
    if (this.table.all().some((u) => u.id !== id && emailKey(u.email) === emailKey(email))) throw new EmailTaken();
    return this.update(id, (u) => ({ ...u, email, emailVerified: true }));
  }
  /** Cascades like the foreign keys: `onDelete` is wired by inMemoryRepositories. */
  onDelete: (id: string) => void = () => {};
  async delete(id: string) {
    if (!this.table.rows.delete(id)) return false;
    this.onDelete(id);
    return true;
  }
  private update(id: string, change: (u: User) => User): User | null {
    const user = this.table.get(id);
    return user ? this.table.put(change(user)) : null;
  }
}

export class InMemorySessionRepository implements SessionRepository {
  table = new Table<Session>();

  async create(session: { userId: string; refreshJti: string; expiresAt: Date; userAgent?: string | null; createdAt?: Date }) {
    const createdAt = session.createdAt ?? new Date();
    const { userId, refreshJti, expiresAt } = session;
    return this.table.put({
      id: randomUUID(),
      userId,
      refreshJti,
      expiresAt,
      createdAt,
      lastUsedAt: createdAt,
      userAgent: session.userAgent ?? null,
      revokedAt: null,
    });
  }
  async findById(id: string) {
    return this.table.get(id);
  }
  async rotate(id: string, fromJti: string, toJti: string, expiresAt: Date, at?: Date) {
    const session = this.table.get(id);
    if (!session || session.revokedAt || session.refreshJti !== fromJti) return false;
    this.table.put({ ...session, refreshJti: toJti, expiresAt, ...(at ? { lastUsedAt: at } : {}) });
    return true;
  }
  async revoke(id: string, at: Date) {
    const session = this.table.get(id);
    if (session && !session.revokedAt) this.table.put({ ...session, revokedAt: at });
  }
  async revokeAllForUser(userId: string, at: Date, exceptId?: string) {
    const revoked: string[] = [];
    for (const s of this.table.all()) {
      if (s.userId === userId && !s.revokedAt && s.id !== exceptId) {
        this.table.put({ ...s, revokedAt: at });
        revoked.push(s.id);
      }
    }
    return revoked;
  }
  async revokeForUser(userId: string, id: string, at: Date) {
    const session = this.table.get(id);
    if (!session || session.userId !== userId || session.revokedAt || session.expiresAt <= at) return false;
    this.table.put({ ...session, revokedAt: at });
    return true;
  }
  async listAllForUser(userId: string) {
    return this.table
      .all()
      .filter((s) => s.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compare(b.id, a.id));
  }
  async listLive(userId: string, now: Date) {
    return this.table
      .all()
      .filter((s) => s.userId === userId && !s.revokedAt && s.expiresAt > now)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compare(b.id, a.id));
  }
  /** How many touches changed something: a test can tell a write from a skipped one. */
  touches = 0;
  async touch(id: string, at: Date) {
    const session = this.table.get(id);
    if (!session) return null;
    if (session.lastUsedAt.getTime() > at.getTime() - SESSION_TOUCH_INTERVAL_MS) return session.lastUsedAt;
    this.touches += 1;
    this.table.put({ ...session, lastUsedAt: at });
    return at;
  }
}

/** An app password as stored: with its secret's digest (the unique lookup key). */
export type StoredAppPassword = AppPassword & { secretHash: string };

/** dav_resources: one row per contact (its id the contact's). */
export class InMemoryDavResourceRepository implements DavResourceRepository {
  table = new Table<DavResource & { id: string; userId: string }>();

  private rows(ownerId: string): DavResource[] {
    return this.table
      .all()
      .filter((r) => r.userId === ownerId)
      .map(({ contactId, name, uid }) => ({ contactId, name, uid }));
  }
  async byName(ownerId: string, name: string) {
    return this.rows(ownerId).find((r) => r.name === name) ?? null;
  }
  async byNames(ownerId: string, names: readonly string[]) {
    return this.rows(ownerId).filter((r) => names.includes(r.name));
  }
  async byUid(ownerId: string, uid: string) {
    return this.rows(ownerId).find((r) => r.uid === uid) ?? null;
  }
  async byContactIds(ownerId: string, contactIds: readonly string[]) {
    return this.rows(ownerId).filter((r) => contactIds.includes(r.contactId));
  }
  async save(ownerId: string, resource: DavResource) {
    for (const row of this.table.all()) {
      if (row.userId === ownerId && row.contactId !== resource.contactId && (row.name === resource.name || row.uid === resource.uid))
        this.table.rows.delete(row.id);
    }
    this.table.put({ ...resource, id: resource.contactId, userId: ownerId });
  }
}

export class InMemoryAppPasswordRepository implements AppPasswordRepository {
  table = new Table<StoredAppPassword>();

  async create(entry: NewAppPassword, max: number) {
    const rows = this.table.all();
    if (rows.filter((r) => r.userId === entry.userId).length >= max) return null;
    if (rows.some((r) => r.secretHash === entry.secretHash))
      throw new Error('duplicate key value violates unique constraint "app_passwords_secret_hash_unique"');
    return this.public(this.table.put({ ...entry, id: randomUUID(), lastUsedAt: null }));
  }
  async findBySecretHash(secretHash: string) {
    const row = this.table.all().find((r) => r.secretHash === secretHash);
    return row ? this.public(row) : null;
  }
  async listForUser(userId: string) {
    return this.table
      .all()
      .filter((r) => r.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compare(b.id, a.id))
      .map((r) => this.public(r));
  }
  async deleteForUser(userId: string, id: string) {
    const row = this.table.get(id);
    if (!row || row.userId !== userId) return false;
    return this.table.rows.delete(id);
  }
  async deleteAllForUser(userId: string) {
    let deleted = 0;
    for (const row of this.table.all()) if (row.userId === userId && this.table.rows.delete(row.id)) deleted += 1;
    return deleted;
  }
  /** How many touches changed something: a test can tell a write from a skipped one. */
  touches = 0;
  async touch(id: string, at: Date) {
    const row = this.table.get(id);
    if (!row || (row.lastUsedAt && row.lastUsedAt.getTime() > at.getTime() - APP_PASSWORD_TOUCH_INTERVAL_MS)) return;
    this.touches += 1;
    this.table.put({ ...row, lastUsedAt: at });
  }
  private public({ secretHash: _omit, ...row }: StoredAppPassword): AppPassword {
    return row;
  }
}

export class InMemoryOneTimeTokenRepository implements OneTimeTokenRepository {
  table = new Table<OneTimeTokenRecord>();

  async create(token: { userId: string; purpose: TokenPurpose; tokenHash: string; createdAt: Date; expiresAt: Date; newEmail?: string }) {
    this.table.put({ ...token, newEmail: token.newEmail ?? null, id: randomUUID(), consumedAt: null });
  }
  async findByHash(purpose: TokenPurpose, tokenHash: string) {
    return this.table.all().find((t) => t.purpose === purpose && t.tokenHash === tokenHash) ?? null;
  }
  async consume(id: string, at: Date) {
    const token = this.table.get(id);
    if (!token || token.consumedAt) return false;
    this.table.put({ ...token, consumedAt: at });
    return true;
  }
  async release(id: string, consumedAt: Date) {
    const token = this.table.get(id);
    if (token?.consumedAt?.getTime() === consumedAt.getTime()) this.table.put({ ...token, consumedAt: null });
  }
  async consumeAllForUser(userId: string, purpose: TokenPurpose, at: Date) {
    for (const t of this.table.all()) {
      if (t.userId === userId && t.purpose === purpose && !t.consumedAt) this.table.put({ ...t, consumedAt: at });
    }
  }
  async createUnlessIssuedSince(
    token: { userId: string; purpose: TokenPurpose; tokenHash: string; createdAt: Date; expiresAt: Date; newEmail?: string },
    since: Date,
  ) {
    // No await between the check and the insert: as atomic as the real one.
    const sameAddress = (t: OneTimeTokenRecord) =>
      token.newEmail === undefined ? t.userId === token.userId : t.newEmail !== null && emailKey(t.newEmail) === emailKey(token.newEmail);
    const later = this.table.all().some((t) => sameAddress(t) && t.purpose === token.purpose && t.createdAt.getTime() > since.getTime());
    if (later) return false;
    this.table.put({ ...token, newEmail: token.newEmail ?? null, id: randomUUID(), consumedAt: null });
    return true;
  }
  async lastIssuedAt(userId: string, purpose: TokenPurpose) {
    const times = this.table
      .all()
      .filter((t) => t.userId === userId && t.purpose === purpose)
      .map((t) => t.createdAt.getTime());
    return times.length ? new Date(Math.max(...times)) : null;
  }
}

/** A stored contact: the contact, whether it is in the trash, and the book's change that last wrote it. */
export type StoredContact = Contact & { deletedAt?: string | null; changeSeq?: number };

export class InMemoryContactRepository implements ContactRepository {
  table = new Table<StoredContact>();
  /** Each book's change counter and the oldest change a token may hold (never rolled back: gaps are allowed). */
  books = new Map<string, { last: number; oldest: number }>();
  tombstones: { userId: string; id: string; changeSeq: number; purgedAt: Date }[] = [];
  /** The book's CardDAV resource names, which the feed answers with its changes (set by inMemoryRepositories). */
  davResources?: InMemoryDavResourceRepository;
  /** The book's group cards, which follow their members as the database's trigger makes them (set by inMemoryRepositories). */
  groups?: InMemoryContactGroupRepository;

  // Every method checks and writes with no await in between, as atomic as the real adapter's
  // statements (and its per-book lock for `refuse`).
  async create(ownerId: string, contact: NewContact, takenEmails: TakenEmails) {
    if (takenEmails === 'refuse') this.assertEmailsFree(ownerId, emailKeysOf(contact.fields), null);
    return this.insert(ownerId, contact, new Date().toISOString());
  }
  async createMany(ownerId: string, list: readonly NewContact[]) {
    const holders = new Map<string, string>();
    for (const c of this.sorted(ownerId)) for (const key of emailKeysOf(c)) if (!holders.has(key)) holders.set(key, c.id);
    const now = new Date().toISOString();
    const change = this.nextChange(ownerId);
    return list.map((contact) => {
      const keys = emailKeysOf(contact.fields);
      const holder = keys.map((key) => holders.get(key)).find((id) => id !== undefined);
      if (holder !== undefined) return holder;
      const stored = this.insert(ownerId, contact, now, change);
      for (const key of keys) holders.set(key, stored.id);
      return null;
    });
  }
  async findById(ownerId: string, id: string) {
    return this.owns(ownerId, id);
  }
  async findByIds(ownerId: string, ids: readonly string[]) {
    return [...new Set(ids)].flatMap((id) => this.owns(ownerId, id) ?? []);
  }
  async search(ownerId: string, query: ContactQuery): Promise<ContactPage> {
    const has = (value: string, text: string | undefined) => text === undefined || value.toLowerCase().includes(text.toLowerCase());
    const patterns = query.q === undefined ? null : searchPatterns(query.q);
    const matchesQ = (c: Contact) => {
      if (!patterns) return true;
      const text = searchTextOf(c);
      return text.includes(patterns.text) || (patterns.digits !== null && text.includes(patterns.digits));
    };
    const matching = this.sorted(ownerId).filter(
      (c) =>
        matchesQ(c) &&
        (query.label === undefined || c.labels.some((l) => labelKey(l) === labelKey(query.label!))) &&
        has(c.firstName, query.firstName) &&
        has(c.lastName, query.lastName) &&
        (query.email === undefined || c.emails.some((e) => has(e.value, query.email))),
    );
    if (query.sort === 'name') matching.sort((a, b) => compare(nameSortKey(a), nameSortKey(b)) || byCreation(a, b));
    if (query.sort === 'relevance' && query.q !== undefined) {
      const q = nameKey(query.q);
      const rank = (c: Contact) => {
        const keys = nameKeysOf(c);
        return keys.includes(q) ? 0 : keys.some((k) => k.startsWith(q)) ? 1 : 2;
      };
      matching.sort((a, b) => rank(a) - rank(b) || byCreation(a, b));
    }
    return { items: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
  }
  async *listAll(ownerId: string, batchSize: number) {
    const all = this.sorted(ownerId);
    for (let start = 0; start < all.length; start += batchSize) yield all.slice(start, start + batchSize);
  }
  async update(ownerId: string, id: string, change: ContactChange, takenEmails: TakenEmails, expectedVersions?: readonly number[]) {
    const contact = this.writable(ownerId, id, expectedVersions);
    if (!contact) return null;
    const next: Contact = { ...contact, ...definedFields(change.fields) };
    if (takenEmails === 'refuse') {
      const had = new Set(emailKeysOf(contact));
      this.assertEmailsFree(
        ownerId,
        emailKeysOf(next).filter((key) => !had.has(key)),
        id,
      );
    }
    if (change.card !== undefined) next.card = change.card;
    return this.bump(next);
  }
  async setPhoto(ownerId: string, id: string, photo: StoredPhoto | null, expectedVersions?: readonly number[]) {
    const contact = this.writable(ownerId, id, expectedVersions);
    if (!contact) return null;
    return { contact: this.bump({ ...contact, photo }), previous: contact.photo };
  }
  async delete(ownerId: string, id: string, expectedVersions?: readonly number[]) {
    const contact = this.writable(ownerId, id, expectedVersions);
    if (!contact) return false;
    const stored = this.table.get(id)!;
    this.write({ ...stored, version: stored.version + 1, deletedAt: new Date().toISOString(), changeSeq: this.nextChange(ownerId) });
    return true;
  }
  async findAnyById(ownerId: string, id: string): Promise<AnyContact | null> {
    const stored = this.table.get(id);
    return stored && stored.userId === ownerId ? { contact: plain(stored), deletedAt: stored.deletedAt ?? null } : null;
  }
  async listTrash(ownerId: string, limit: number, offset: number) {
    const trash = this.trashOf(ownerId);
    return { items: trash.slice(offset, offset + limit), total: trash.length };
  }
  async *listAllTrash(ownerId: string, batchSize: number) {
    const all = this.trashOf(ownerId);
    for (let start = 0; start < all.length; start += batchSize) yield all.slice(start, start + batchSize);
  }
  async restore(ownerId: string, id: string, takenEmails: TakenEmails) {
    const stored = this.table.get(id);
    if (!stored || stored.userId !== ownerId || !stored.deletedAt) return null;
    if (takenEmails === 'refuse') this.assertEmailsFree(ownerId, emailKeysOf(stored), id);
    return plain(this.write({ ...stored, version: stored.version + 1, deletedAt: null, changeSeq: this.nextChange(ownerId) }));
  }
  async purge(ownerId: string, id: string | null) {
    const gone = this.table.all().filter((c) => c.userId === ownerId && c.deletedAt && (id === null || c.id === id));
    if (id !== null && gone.length === 0) return null;
    return this.purgeRows(ownerId, gone);
  }
  async purgeExpired(before: Date, maxBooks: number) {
    const expired = this.table.all().filter((c) => c.deletedAt && new Date(c.deletedAt) < before);
    const owners = [...new Set(expired.map((c) => c.userId))].slice(0, maxBooks);
    const photos = owners.flatMap((owner) =>
      this.purgeRows(
        owner,
        expired.filter((c) => c.userId === owner),
      ),
    );
    for (const stone of this.tombstones.filter((t) => t.purgedAt < before)) {
      const book = this.books.get(stone.userId);
      if (book) book.oldest = Math.max(book.oldest, stone.changeSeq);
    }
    this.tombstones = this.tombstones.filter((t) => t.purgedAt >= before);
    for (const group of this.groups?.forgetDeleted(before) ?? []) {
      const book = this.books.get(group.userId);
      if (book) book.oldest = Math.max(book.oldest, group.changeSeq);
    }
    return { purged: expired.filter((c) => owners.includes(c.userId)).length, photos, more: owners.length < new Set(expired.map((c) => c.userId)).size };
  }
  async versionsSince(ownerId: string, since: SyncPosition | null, limit: number): Promise<FeedPage<FeedVersion>> {
    const page = await this.changesSince(ownerId, since, limit);
    const changes = page.changes.map(
      ({ contact, ...change }: FeedChange & { contact?: Contact }): FeedVersion =>
        contact ? { ...change, deleted: false, version: contact.version, updatedAt: contact.updatedAt } : { ...change, deleted: true },
    );
    return { ...page, changes };
  }
  async changesSince(ownerId: string, since: SyncPosition | null, limit: number): Promise<FeedPage> {
    const book = this.books.get(ownerId) ?? { last: 0, oldest: 0 };
    if (since !== null) {
      if (since.change < book.oldest) throw new SyncTokenExpired();
      if (since.change > book.last) throw new InvalidSyncToken();
    }
    const floor = since === null ? book.last : since.floor;
    const from = since ?? { change: 0, id: '', floor };
    const after = (seq: number, id: string) => seq > from.change || (seq === from.change && from.id !== '' && compare(id, from.id) > 0);
    const entries = [
      ...this.table
        .all()
        .filter((c) => c.userId === ownerId && after(c.changeSeq ?? 0, c.id) && (!c.deletedAt || (c.changeSeq ?? 0) > floor))
        .map((c) => ({
          seq: c.changeSeq ?? 0,
          id: c.id,
          change: c.deletedAt ? ({ id: c.id, deleted: true } as const) : ({ id: c.id, deleted: false, contact: plain(c) } as const),
        })),
      ...this.tombstones
        .filter((t) => t.userId === ownerId && after(t.changeSeq, t.id) && t.changeSeq > floor)
        .map((t) => ({ seq: t.changeSeq, id: t.id, change: { id: t.id, deleted: true } as const })),
    ].sort((a, b) => a.seq - b.seq || compare(a.id, b.id));
    const more = entries.length > limit;
    const page = entries.slice(0, limit);
    const end = page[page.length - 1];
    const next = more ? { change: end!.seq, id: end!.id, floor } : { change: Math.max(book.last, from.change), id: '', floor: 0 };
    // The feed answers each change's CardDAV resource, as the database's join does.
    const resources = new Map((this.davResources?.table.all() ?? []).map((r) => [r.contactId, { name: r.name, uid: r.uid }]));
    return {
      changes: page.map((e) => {
        const resource = resources.get(e.id);
        return resource ? { ...e.change, resource } : e.change;
      }),
      next,
      more,
    };
  }
  async bookVersion(ownerId: string) {
    return this.books.get(ownerId)?.last ?? 0;
  }
  private nextChange(ownerId: string): number {
    const book = this.books.get(ownerId) ?? { last: 0, oldest: 0 };
    book.last += 1;
    this.books.set(ownerId, book);
    return book.last;
  }
  private purgeRows(ownerId: string, gone: readonly StoredContact[]): StoredPhoto[] {
    if (gone.length === 0) return [];
    const change = this.nextChange(ownerId);
    for (const c of gone) {
      this.table.rows.delete(c.id);
      this.tombstones.push({ userId: ownerId, id: c.id, changeSeq: change, purgedAt: new Date() });
    }
    return gone.flatMap((c) => (c.photo ? [c.photo] : []));
  }
  private trashOf(ownerId: string): TrashedContact[] {
    return this.table
      .all()
      .filter((c) => c.userId === ownerId && c.deletedAt)
      .sort((a, b) => compare(b.deletedAt!, a.deletedAt!) || compare(a.id, b.id))
      .map((c) => ({ contact: plain(c), deletedAt: c.deletedAt! }));
  }
  async upcomingBirthdays(ownerId: string, today: string, days: number) {
    return this.owned(ownerId)
      .flatMap((c) => (c.birthday !== null && isBirthdayWithin(c.birthday, today, days) ? [{ c, on: nextBirthday(c.birthday, today) }] : []))
      .sort((a, b) => compare(a.on, b.on) || compare(a.c.id, b.c.id))
      .map(({ c }) => c);
  }
  async labels(ownerId: string): Promise<LabelCount[]> {
    const counts = new Map<string, LabelCount>();
    for (const c of this.sorted(ownerId)) {
      for (const name of c.labels) {
        const count = counts.get(labelKey(name));
        if (count) count.count += 1;
        else counts.set(labelKey(name), { name, count: 1 });
      }
    }
    return [...counts.entries()].sort(([a, x], [b, y]) => compare(a, b) || compare(x.name, y.name)).map(([, count]) => count);
  }
  async renameLabel(ownerId: string, from: string, to: string) {
    const fromKey = labelKey(from);
    const toKey = labelKey(to);
    const carrying = this.sorted(ownerId).filter((c) => c.labels.some((l) => labelKey(l) === fromKey));
    if (carrying.length === 0) return null;
    // Merging into an existing label keeps that label's spelling; a new name (or a change of case) takes `to`.
    const existing = fromKey === toKey ? undefined : (await this.labels(ownerId)).find((l) => labelKey(l.name) === toKey);
    const target = existing?.name ?? to;
    const change = this.nextChange(ownerId);
    for (const c of carrying) {
      const labels = uniqueLabels(c.labels.map((l) => (labelKey(l) === fromKey ? target : l)));
      if (JSON.stringify(labels) !== JSON.stringify(c.labels)) this.bump({ ...c, labels }, change);
    }
    return (await this.labels(ownerId)).find((l) => labelKey(l.name) === toKey) ?? null;
  }
  async setLabelHolders(ownerId: string, label: string, ids: readonly string[]) {
    const key = labelKey(label);
    const holders = new Set(ids);
    const change = this.nextChange(ownerId);
    for (const c of this.sorted(ownerId)) {
      const has = c.labels.some((l) => labelKey(l) === key);
      if (holders.has(c.id) && !has && c.labels.length < LABELS_MAX) this.bump({ ...c, labels: uniqueLabels([...c.labels, label]) }, change);
      else if (!holders.has(c.id) && has) this.bump({ ...c, labels: c.labels.filter((l) => labelKey(l) !== key) }, change);
    }
  }
  async deleteLabel(ownerId: string, name: string) {
    const key = labelKey(name);
    const carrying = this.owned(ownerId).filter((c) => c.labels.some((l) => labelKey(l) === key));
    const change = this.nextChange(ownerId);
    for (const c of carrying) this.bump({ ...c, labels: c.labels.filter((l) => labelKey(l) !== key) }, change);
    return carrying.length > 0;
  }
  private insert(ownerId: string, contact: NewContact, now: string, change = this.nextChange(ownerId)): Contact {
    const stored = this.write({
      ...contact.fields,
      id: randomUUID(),
      userId: ownerId,
      version: 1,
      photo: contact.photo ?? null,
      card: contact.card ?? null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      changeSeq: change,
    });
    return plain(stored);
  }
  /** Every write of a contact: the groups it joins or leaves follow (the database's trigger). */
  private write(row: StoredContact): StoredContact {
    const before = this.table.get(row.id);
    const stored = this.table.put(row);
    this.groups?.followMembers(before, stored);
    return stored;
  }
  private bump(contact: Contact, change = this.nextChange(contact.userId)): Contact {
    return plain(this.write({ ...contact, version: contact.version + 1, updatedAt: new Date().toISOString(), deletedAt: null, changeSeq: change }));
  }
  /** The contact a write may change: null when absent, ContactChanged when its version is not expected. */
  private writable(ownerId: string, id: string, expectedVersions: readonly number[] | undefined): Contact | null {
    const contact = this.owns(ownerId, id);
    if (contact && expectedVersions && !expectedVersions.includes(contact.version)) throw new ContactChanged();
    return contact;
  }
  /** A live contact of the owner (the trash is not part of the book). */
  private owns(ownerId: string, id: string): Contact | null {
    const contact = this.table.get(id);
    return contact && contact.userId === ownerId && !contact.deletedAt ? plain(contact) : null;
  }
  private owned(ownerId: string): Contact[] {
    return this.table
      .all()
      .filter((c) => c.userId === ownerId && !c.deletedAt)
      .map(plain);
  }
  private sorted(ownerId: string): Contact[] {
    return this.owned(ownerId).sort(byCreation);
  }
  private assertEmailsFree(ownerId: string, keys: readonly string[], exceptId: string | null) {
    if (keys.length === 0) return;
    const holder = this.sorted(ownerId).find((c) => c.id !== exceptId && emailKeysOf(c).some((key) => keys.includes(key)));
    if (holder) throw new ContactEmailTaken(holder.id);
  }
}

/** A stored contact as the port answers it, without the fake's bookkeeping. */
function plain(stored: StoredContact): Contact {
  const { deletedAt: _deletedAt, changeSeq: _changeSeq, ...contact } = stored;
  return contact;
}

/** The fields a change gives (undefined ones leave the contact's). */
function definedFields(fields: Partial<ContactFields>): Partial<ContactFields> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** Code point order, as PostgreSQL's "C" collation compares. */
const compare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
/**
 * Oldest first. Ties (one millisecond) keep the order the rows were stored in (sort is stable and
 * the table a Map), as the database's microseconds would: an import lists in its order.
 */
const byCreation = (a: Contact, b: Contact) => compare(a.createdAt, b.createdAt);

type StoredOutboxMessage = OutboxMessage & { lockedUntil: Date | null };

/** The outbox; as an EmailList it answers what was enqueued (`last`, `to`, `lastToken`), sent or not. */
export class InMemoryOutboxRepository extends EmailList implements OutboxRepository {
  readonly table = new Table<StoredOutboxMessage>();

  async enqueue(email: Email, at: Date) {
    const id = randomUUID();
    this.table.put({ id, email, status: 'pending', attempts: 0, nextAttemptAt: at, lockedUntil: null, lastError: null, createdAt: at, sentAt: null });
    return id;
  }
  async claimNext(now: Date, leaseUntil: Date) {
    const [due] = this.table
      .all()
      .filter((m) => m.status === 'pending' && m.nextAttemptAt <= now && (!m.lockedUntil || m.lockedUntil <= now))
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime());
    if (!due) return null;
    return this.public(this.table.put({ ...due, attempts: due.attempts + 1, lockedUntil: leaseUntil }));
  }
  async markSent(id: string, at: Date) {
    this.settle(id, (m) => ({ ...m, status: 'sent', sentAt: at, lockedUntil: null, email: withoutLink(m.email) }));
  }
  async reschedule(id: string, retryAt: Date, error: string) {
    this.settle(id, (m) => ({ ...m, nextAttemptAt: retryAt, lastError: error, lockedUntil: null }));
  }
  async markFailed(id: string, error: string) {
    this.settle(id, (m) => ({ ...m, status: 'failed', lastError: error, lockedUntil: null, email: withoutLink(m.email) }));
  }
  async findById(id: string) {
    const row = this.table.get(id);
    return row ? this.public(row) : null;
  }
  async deleteForUser(userId: string) {
    let deleted = 0;
    for (const m of this.table.all()) {
      if (m.email.userId === userId) {
        this.table.rows.delete(m.id);
        deleted += 1;
      }
    }
    return deleted;
  }
  /** Every message, oldest first. */
  messages(): OutboxMessage[] {
    return this.table
      .all()
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((m) => this.public(m));
  }
  protected emails(): Email[] {
    return this.messages().map((m) => m.email);
  }
  private settle(id: string, change: (m: StoredOutboxMessage) => StoredOutboxMessage): void {
    const message = this.table.get(id);
    if (message && message.status === 'pending') this.table.put(change(message));
  }
  private public({ lockedUntil: _omit, ...message }: StoredOutboxMessage): OutboxMessage {
    return message;
  }
}

function withoutLink(email: Email): Email {
  const { link: _dropped, ...rest } = email as Email & { link?: string };
  return rest as Email;
}

export interface InMemoryRepositories extends Repositories {
  users: InMemoryUserRepository;
  sessions: InMemorySessionRepository;
  tokens: InMemoryOneTimeTokenRepository;
  contacts: InMemoryContactRepository;
  appPasswords: InMemoryAppPasswordRepository;
  davResources: InMemoryDavResourceRepository;
  groups: InMemoryContactGroupRepository;

  outbox: InMemoryOutboxRepository;
}

export function inMemoryRepositories(): InMemoryRepositories {
  const repos: InMemoryRepositories = {
    users: new InMemoryUserRepository(),
    sessions: new InMemorySessionRepository(),
    tokens: new InMemoryOneTimeTokenRepository(),
    contacts: new InMemoryContactRepository(),
    appPasswords: new InMemoryAppPasswordRepository(),
    davResources: new InMemoryDavResourceRepository(),
    groups: new InMemoryContactGroupRepository(),

    outbox: new InMemoryOutboxRepository(),
  };
  link(repos);
  return repos;
}

/** What the stores see of each other (the database's joins, trigger and cascades), on the shared tables or a unit of work's copies. */
function link(repos: InMemoryRepositories): void {
  repos.contacts.davResources = repos.davResources;
  repos.contacts.groups = repos.groups;
  repos.groups.contacts = () => repos.contacts;
  cascadeUserDeletes(repos);
}

/** What the foreign keys' ON DELETE CASCADE does in PostgreSQL: a user's rows go with the user. */
function cascadeUserDeletes(repos: InMemoryRepositories): void {
  repos.users.onDelete = (userId) => {
    for (const table of [
      repos.sessions.table,
      repos.tokens.table,
      repos.contacts.table,
      repos.appPasswords.table,
      repos.davResources.table,
      repos.groups.table,
    ] as Table<{
      id: string;
      userId: string;
    }>[]) {
      for (const row of table.all()) if (row.userId === userId) table.rows.delete(row.id);
    }
  };
}

type WithTable = { table: Table<{ id: string }> };

/**
 * Like a transaction: the work runs on private copies of every table, and only when it succeeds are
 * its changes (rows added, changed or removed) applied to the shared tables. Work that throws
 * leaves nothing behind, and concurrent work never sees another's uncommitted rows. Units of work
 * run one at a time, as conflicting row locks would make them in PostgreSQL, so two of them can
 * never both consume the same token.
 */
export class InMemoryUnitOfWork implements UnitOfWork {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly repos: InMemoryRepositories) {}

  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const turn = this.queue.then(() => this.runNow(work));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async runNow<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const entries = Object.entries(this.repos) as [string, WithTable][];
    const staged = entries.map(([name, repo]) => {
      const copy = Object.assign(Object.create(Object.getPrototypeOf(repo)) as WithTable, repo);
      copy.table = new Table();
      copy.table.rows = repo.table.snapshot();
      return [name, copy, repo.table.snapshot()] as const;
    });
    const stagedRepos = Object.fromEntries(staged.map(([name, copy]) => [name, copy])) as unknown as InMemoryRepositories;
    link(stagedRepos);
    const result = await work(stagedRepos);
    for (const [name, copy, before] of staged) {
      const shared = this.repos[name as keyof InMemoryRepositories].table as Table<{ id: string }>;
      for (const [id, row] of copy.table.rows) {
        if (JSON.stringify(before.get(id)) !== JSON.stringify(row)) shared.rows.set(id, row);
      }
      for (const id of before.keys()) if (!copy.table.rows.has(id)) shared.rows.delete(id);
    }
    return result;
  }
}
