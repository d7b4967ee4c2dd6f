import type { Contact, ContactFields, ContactQuery } from '../../domain/contact.js';

export interface ContactPage {
  items: Contact[];
  /** How many contacts match, whatever the limit and offset. */
  total: number;
}

/**
 * Each user's contact book. Every method is scoped to an owner: another user's contact, an absent
 * one and an id that is not well-formed all look the same (null, false or left out).
 */
export interface ContactRepository {
  /** Throws ContactEmailTaken when the owner already has a contact with this email, whatever its case. */
  create(ownerId: string, fields: ContactFields): Promise<Contact>;
  /** Null when the owner has no contact with this id. */
  findById(ownerId: string, id: string): Promise<Contact | null>;
  /**
   * Contacts matching every given filter (case-insensitive substrings; `q` on first name, last name
   * or email), oldest first (ties by id), so that pages never overlap or skip.
   */
  search(ownerId: string, query: ContactQuery): Promise<ContactPage>;
  /** Sets the given fields and bumps updatedAt. Null when absent; throws ContactEmailTaken. */
  update(ownerId: string, id: string, changes: Partial<ContactFields>): Promise<Contact | null>;
  /** Every contact of the owner, oldest first (ties by id). */
  listAll(ownerId: string): Promise<Contact[]>;
  /** False when the owner has no contact with this id. */
  delete(ownerId: string, id: string): Promise<boolean>;
  /**
   * Contacts whose next birthday (29 February → 28 February in common years) falls from `today`
   * through `today + days` (`YYYY-MM-DD`, UTC), soonest first, ties by id.
   */
  upcomingBirthdays(ownerId: string, today: string, days: number): Promise<Contact[]>;
}
