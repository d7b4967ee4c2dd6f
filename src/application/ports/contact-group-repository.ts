import type { KeptCard } from '../../domain/contact.js';

/**
 * A group card the book received (import, CardDAV): a label is a group, and this is the card that
 * came with it, every property kept. Its members are not stored here: they are the live contacts
 * carrying the label.
 */
export interface ContactGroup {
  id: string;
  /** The card's own UID. */
  uid: string;
  /** The label it names (its FN as written back), unique in the book case-insensitively. */
  label: string;
  /** Its CardDAV resource name: `{id}.vcf`, or the name a client PUT it under. */
  name: string;
  card: KeptCard;
  /** Moves with every change of the rendered card: its own writes, and a member joining or leaving. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A group card to store. */
export interface NewGroup {
  uid: string;
  label: string;
  card: KeptCard;
  /** The resource name; `{id}.vcf` when absent. */
  name?: string;
}

/** A live contact as a group's membership sees it: its id, its card's UID (else its id) and its labels. */
export interface GroupMember {
  id: string;
  uid: string;
  labels: string[];
}

/**
 * The group cards of each user's book. Every write takes the book's next change number (the
 * counter contacts use), so that groups show in CardDAV's sync-collection; a write to a contact
 * that makes it join or leave a group moves that group's change number and version too.
 * A deleted group is remembered (as gone) for the sync feed only.
 */
export interface ContactGroupRepository {
  /**
   * Takes the book's change counter (as every group write does) and holds it until the caller's
   * unit of work ends: a write checked after it cannot race another group write of the book.
   */
  lockBook(ownerId: string): Promise<void>;
  /** The live groups of the book, by label (case-insensitive order). */
  list(ownerId: string): Promise<ContactGroup[]>;
  /** The live group of this label (case-insensitive); null when none. */
  byLabel(ownerId: string, label: string): Promise<ContactGroup | null>;
  /** The live groups under these resource names. */
  byNames(ownerId: string, names: readonly string[]): Promise<ContactGroup[]>;
  /** The live group holding this UID; null when none. */
  byUid(ownerId: string, uid: string): Promise<ContactGroup | null>;
  /**
   * Stores a group card. With `id`, replaces that live group (only while its version is one of
   * `expectedVersions`, when given: else ContactChanged; null when it is gone); without, creates
   * one. Any other live group of the same UID, label or resource name is deleted first: the
   * caller has decided the new card takes their place.
   */
  save(ownerId: string, group: NewGroup, id?: string, expectedVersions?: readonly number[]): Promise<ContactGroup | null>;
  /**
   * The group of label `from` takes the label `to`, unless a live group of `to` exists (a merge:
   * the target's card is kept and `from`'s is deleted). False when `from` has no group.
   */
  rename(ownerId: string, from: string, to: string): Promise<boolean>;
  /** Deletes the live group (of this id) if its version is one of `expectedVersions` (else ContactChanged); false when none. */
  delete(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<boolean>;
  /** Deletes the group of this label; false when none. */
  deleteByLabel(ownerId: string, label: string): Promise<boolean>;
  /**
   * The groups whose change number is in (`after`, `upTo`] (`after` null: every live group up to
   * `upTo`): those live, and the resource names of those deleted.
   */
  changedBetween(ownerId: string, after: number | null, upTo: number): Promise<{ live: ContactGroup[]; removed: string[] }>;
  /** The live contacts carrying this label, oldest first. */
  members(ownerId: string, label: string): Promise<GroupMember[]>;
  /**
   * The live contacts carrying each of these labels, oldest first, keyed by labelKey (a label no
   * contact carries is absent): one read whatever the number of labels.
   */
  membersOf(ownerId: string, labels: readonly string[]): Promise<Map<string, GroupMember[]>>;
  /** The live contacts whose UID (their card's, else their id) is one of these, compared case-insensitively. */
  contactsByUids(ownerId: string, uids: readonly string[]): Promise<GroupMember[]>;
}
