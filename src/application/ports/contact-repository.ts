import type { Contact, ContactFields, ContactQuery, KeptCard, StoredPhoto } from '../../domain/contact.js';
import type { SyncPosition } from '../../domain/sync.js';

/** A contact as the list answers it: without the card it was imported from (the export and CardDAV read that). */
export type ListedContact = Omit<Contact, 'card'>;

export interface ContactPage {
  items: ListedContact[];
  /** How many contacts match, whatever the limit and offset. */
  total: number;
}

/** A contact to store: its fields, and the card it came from (import, CardDAV) when there is one. */
export interface NewContact {
  fields: ContactFields;
  card?: KeptCard | null;
  /** A photo already stored (an imported card's), set in the same insert; none when absent. */
  photo?: StoredPhoto | null;
}

/** A change to a contact: the fields to set, and the card to keep instead of the one it has (undefined leaves it). */
export interface ContactChange {
  fields: Partial<ContactFields>;
  card?: KeptCard | null;
}

/**
 * How a write treats emails other live contacts of the book hold. `refuse` (REST): a write that
 * gives a contact an email it did not have and another contact holds throws ContactEmailTaken
 * (checked under a per-book lock, so two parallel writes cannot both add one address); a write
 * that adds no address never fails for this. `allow` (CardDAV, merges): stored anyway.
 */
export type TakenEmails = 'refuse' | 'allow';

/** A contact in the trash and when it went there. */
export interface TrashedContact {
  contact: Contact;
  deletedAt: string;
}

/** A contact as a lookup that also sees the trash finds it: `deletedAt` null while it is in the book. */
export interface AnyContact {
  contact: Contact;
  deletedAt: string | null;
}

/**
 * One entry of the change feed: a contact's latest state, or that it left the book (trashed or
 * purged). `resource`: the CardDAV resource name and UID the card was PUT under, when it was one
 * (read in the feed's own statement, so that a sync-collection costs one read).
 */
export type FeedChange = ({ id: string; deleted: false; contact: Contact } | { id: string; deleted: true }) & { resource?: FeedResource };

/**
 * An entry of the change feed as `versionsSince` reads it: a live contact's version and last
 * write (its ETag and Last-Modified) without its fields, or that it left the book.
 */
export type FeedVersion = ({ id: string; deleted: false; version: number; updatedAt: string } | { id: string; deleted: true }) & {
  resource?: FeedResource;
};

/** A card's CardDAV resource name and UID (see DavResourceRepository). */
export interface FeedResource {
  name: string;
  uid: string;
}

/** A page of the change feed: the changes in commit order, where to go on from, and whether more follow at once. */
export interface FeedPage<Change = FeedChange> {
  changes: Change[];
  next: SyncPosition;
  more: boolean;
  /**
   * The highest change number any group card of the book has had (0 for none), read in the same
   * snapshot as the page, when the store can tell at no extra cost; absent, a caller that serves
   * group cards asks the group repository.
   */
  groupsLastChange?: number;
}

/** A label of the book and how many contacts carry it. */
export interface LabelCount {
  name: string;
  count: number;
}

/**
 * Each user's contact book. Every method is scoped to an owner: another user's contact, an absent
 * one and an id that is not well-formed all look the same (null, false or left out).
 *
 * `expectedVersions`, where taken, makes a write conditional: it happens only while the contact's
 * `version` is one of them, checked in the same statement as the write, and otherwise throws
 * ContactChanged (an absent contact is still null/false). Every write adds one to `version`.
 */
export interface ContactRepository {
  /** Throws ContactEmailTaken (with the holder's id) under `refuse`. */
  create(ownerId: string, contact: NewContact, takenEmails: TakenEmails): Promise<Contact>;
  /**
   * Stores many contacts with batched inserts (an import); for each input, in order, null when it
   * was stored, or the id of the contact of the book that already holds one of its emails (inputs
   * are compared with the book and with earlier inputs; an earlier input's id is its new id).
   * Run it in a unit of work so that the batches are stored all or none.
   */
  createMany(ownerId: string, list: readonly NewContact[]): Promise<(string | null)[]>;
  /** Null when the owner has no contact with this id. */
  findById(ownerId: string, id: string): Promise<Contact | null>;
  /** The contacts of these ids the owner has, in no particular order. */
  findByIds(ownerId: string, ids: readonly string[]): Promise<Contact[]>;
  /**
   * Contacts matching every given filter (`q` as ContactQuery says; the others case-insensitive
   * substrings, `label` exact but for case), sorted as asked (ties by creation, then id), so that
   * pages never overlap or skip.
   */
  search(ownerId: string, query: ContactQuery): Promise<ContactPage>;
  /**
   * Every contact of the owner, oldest first (ties by id), `batchSize` at a time, read page by page
   * (keyset) so that a large book is never held in memory at once.
   */
  listAll(ownerId: string, batchSize: number): AsyncIterable<Contact[]>;
  /** Sets the given fields (and card), bumps updatedAt and version. Null when absent; throws ContactEmailTaken under `refuse`. */
  update(ownerId: string, id: string, change: ContactChange, takenEmails: TakenEmails, expectedVersions?: readonly number[]): Promise<Contact | null>;
  /**
   * Sets or removes the contact's photo (a write like any other: version and updatedAt move).
   * Answers the contact and the photo it had before (for the caller to remove from storage), or
   * null when absent.
   */
  setPhoto(
    ownerId: string,
    id: string,
    photo: StoredPhoto | null,
    expectedVersions?: readonly number[],
  ): Promise<{ contact: Contact; previous: StoredPhoto | null } | null>;
  /** Moves the contact to the trash (it leaves every view of the book); false when the owner has no live contact with this id. */
  delete(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<boolean>;
  /** A contact of the owner whether live or in the trash (CardDAV tells a trashed card from an absent one). */
  findAnyById(ownerId: string, id: string): Promise<AnyContact | null>;
  /** The trash, most recently deleted first (ties by id). */
  listTrash(ownerId: string, limit: number, offset: number): Promise<{ items: TrashedContact[]; total: number }>;
  /** Every trashed contact, `batchSize` at a time (the account export). */
  listAllTrash(ownerId: string, batchSize: number): AsyncIterable<TrashedContact[]>;
  /**
   * Brings a trashed contact back into the book as it was; null when it is not in the trash.
   * Under `refuse`, throws ContactEmailTaken when a live contact now holds one of its emails.
   */
  restore(ownerId: string, id: string, takenEmails: TakenEmails): Promise<Contact | null>;
  /**
   * Purges trashed contacts for good (one id, or the whole trash when `id` is null), leaving a
   * tombstone for the change feed. Answers the photos they had (for the caller to remove from
   * storage), or null when `id` is not in the trash.
   */
  purge(ownerId: string, id: string | null): Promise<StoredPhoto[] | null>;
  /**
   * Purges, for every book, the contacts trashed before `before`, and forgets tombstones older
   * than `before` (raising the book's oldest answerable change). Safe on several instances at once:
   * each contact is purged by exactly one caller, whose answer holds its photo. At most
   * `maxBooks` books per call; `more` says whether some remain.
   */
  purgeExpired(before: Date, maxBooks: number): Promise<{ purged: number; photos: StoredPhoto[]; more: boolean }>;
  /**
   * The book's changes after `since` (null: every live contact), in commit order, each contact
   * once with its latest state, at most `limit`. Throws SyncTokenExpired when `since` is older
   * than the oldest change the book still remembers, InvalidSyncToken when it is past the book's
   * last change.
   */
  changesSince(ownerId: string, since: SyncPosition | null, limit: number): Promise<FeedPage>;
  /**
   * The page changesSince gives, each live contact as its version and last write only: for a sync
   * that asks for ETags alone, which need not read (nor the store send) whole contacts.
   */
  versionsSince(ownerId: string, since: SyncPosition | null, limit: number): Promise<FeedPage<FeedVersion>>;
  /** The book's last change number (a CTag; 0 for a book never written). */
  bookVersion(ownerId: string): Promise<number>;
  /**
   * Contacts whose next birthday (29 February → 28 February in common years; with or without a
   * year) falls from `today` through `today + days` (`YYYY-MM-DD`, UTC), soonest first, ties by id.
   */
  upcomingBirthdays(ownerId: string, today: string, days: number): Promise<Contact[]>;
  /** Every label of the book with its count, by name (case-insensitive order). */
  labels(ownerId: string): Promise<LabelCount[]>;
  /**
   * Renames a label on every contact that has it (compared case-insensitively), merging it into
   * an existing label of the new name (no contact ends with both). Null when no contact has it.
   */
  renameLabel(ownerId: string, from: string, to: string): Promise<LabelCount | null>;
  /** Takes a label off every contact; false when no contact has it. */
  deleteLabel(ownerId: string, name: string): Promise<boolean>;
  /**
   * Makes the label's holders exactly the live contacts of `ids` (a group card's members): those
   * without it get it, unless already at LABELS_MAX labels, and the others carrying it lose it.
   * One write of the book whatever their number.
   */
  setLabelHolders(ownerId: string, label: string, ids: readonly string[]): Promise<void>;
}
