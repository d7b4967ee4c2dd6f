import type { Contact, ContactFields, ContactQuery } from '../../domain/contact.js';

export interface ContactPage {
  items: Contact[];
  /** How many contacts match, whatever the limit and offset. */
  total: number;
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
  /** Throws ContactEmailTaken when the owner already has a contact with this email, whatever its case. */
  create(ownerId: string, fields: ContactFields): Promise<Contact>;
  /**
   * Stores many contacts with batched inserts; for each input, in order, whether it was stored
   * (false: the owner already has a contact with its email, or an earlier input has it). Run it in
   * a unit of work so that the batches are stored all or none.
   */
  createMany(ownerId: string, list: readonly ContactFields[]): Promise<boolean[]>;
  /** Null when the owner has no contact with this id. */
  findById(ownerId: string, id: string): Promise<Contact | null>;
  /**
   * Contacts matching every given filter (case-insensitive substrings; `q` on first name, last name
   * or email), oldest first (ties by id), so that pages never overlap or skip.
   */
  search(ownerId: string, query: ContactQuery): Promise<ContactPage>;
  /**
   * Every contact of the owner, oldest first (ties by id), `batchSize` at a time, read page by page
   * (keyset) so that a large book is never held in memory at once.
   */
  listAll(ownerId: string, batchSize: number): AsyncIterable<Contact[]>;
  /** Sets the given fields and bumps updatedAt and version. Null when absent; throws ContactEmailTaken. */
  update(ownerId: string, id: string, changes: Partial<ContactFields>, expectedVersions?: readonly number[]): Promise<Contact | null>;
  /** False when the owner has no contact with this id. */
  delete(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<boolean>;
  /**
   * Contacts whose next birthday (29 February → 28 February in common years; with or without a
   * year) falls from `today` through `today + days` (`YYYY-MM-DD`, UTC), soonest first, ties by id.
   */
  upcomingBirthdays(ownerId: string, today: string, days: number): Promise<Contact[]>;
}
