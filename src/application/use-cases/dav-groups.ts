import { ContactChanged } from '../../domain/contact.errors.js';
import { type Contact, EMPTY_CONTACT_FIELDS, LABEL_MAX, labelKey } from '../../domain/contact.js';
import type { CardRead, ContactCardFormat, VCardVersion } from '../ports/contact-card-format.js';
import type { ContactGroup, GroupMember } from '../ports/contact-group-repository.js';
import type { Repositories } from '../ports/unit-of-work.js';

/** A group card as a card of the book (dav-book's DavCard with its `group` set). */
export interface DavGroupCard {
  contact: Contact;
  name: string;
  uid: string;
  group: ContactGroup & { members: string[] };
}

/** How a refused request is told, in the address book's own errors (dav-book.ts hands them over). */
export interface DavGroupErrors {
  /** The body fails RFC 6352 `valid-address-data`. */
  refused(reason: string): Error;
  /** Another resource (named) has the UID. */
  uidConflict(holderName: string): Error;
  /** If-Match no longer holds. */
  preconditionFailed(): Error;
}

export interface DavGroupsDeps {
  repos: Pick<Repositories, 'contacts' | 'groups' | 'davResources'>;
  cards: ContactCardFormat;
  errors: DavGroupErrors;
}

const memberKey = (uid: string) => uid.replace(/^urn:uuid:/i, '').toLowerCase();

/**
 * The book's group cards as resources of its address book (docs/decisions/group-cards.md): found,
 * listed and synced beside the contacts, rendered with a member line for each contact carrying
 * the label. A PUT stores the card and makes its named members (those in the book) carry the
 * label, and only them; a DELETE removes the card and takes the label off its members.
 */
export function makeDavGroups(deps: DavGroupsDeps) {
  const { repos, errors } = deps;

  /**
   * A group as a card of the book. Its `contact` is the group seen as a resource (its id, version,
   * dates and card; empty fields), so that ETags and dates read the same for both kinds.
   */
  function asCard(ownerId: string, group: ContactGroup, members: readonly GroupMember[]): DavGroupCard {
    const contact: Contact = {
      ...EMPTY_CONTACT_FIELDS,
      id: group.id,
      userId: ownerId,
      version: group.version,
      photo: null,
      card: group.card,
      createdAt: group.createdAt,
      updatedAt: group.updatedAt,
    };
    return { contact, name: group.name, uid: group.uid, group: { ...group, members: members.map((m) => m.uid) } };
  }

  /** The groups as cards, their members read at once. */
  async function asCards(ownerId: string, groups: readonly ContactGroup[]): Promise<DavGroupCard[]> {
    const members = await repos.groups.membersOf(
      ownerId,
      groups.map((g) => g.label),
    );
    return groups.map((g) => asCard(ownerId, g, members.get(labelKey(g.label)) ?? []));
  }

  async function findCards(ownerId: string, names: readonly string[]): Promise<DavGroupCard[]> {
    return asCards(ownerId, await repos.groups.byNames(ownerId, names));
  }

  async function list(ownerId: string): Promise<DavGroupCard[]> {
    return asCards(ownerId, await repos.groups.list(ownerId));
  }

  /** The groups changed in (after, upTo] of the book's changes, and the names of those deleted. */
  async function changedBetween(ownerId: string, after: number | null, upTo: number): Promise<{ changed: DavGroupCard[]; removed: string[] }> {
    const { live, removed } = await repos.groups.changedBetween(ownerId, after, upTo);
    return { changed: await asCards(ownerId, live), removed };
  }

  /**
   * Stores a group card under `name` (replacing `existing`, the card the name holds, if any, at
   * one of `versions` when given) and sets its members to the contacts of the book it names.
   */
  async function put(
    ownerId: string,
    name: string,
    read: CardRead,
    existing: { group?: ContactGroup } | null,
    versions: readonly number[] | undefined,
  ): Promise<{ created: boolean; card: DavGroupCard }> {
    if (!read.group || !read.card) throw errors.refused('this resource is a group card: a contact cannot replace it');
    if (existing && !existing.group) throw errors.refused('this resource is a contact: a group card cannot replace it');
    const uid = read.card.uid?.trim();
    if (!uid) throw errors.refused('the card has no UID');
    const label = [...read.group.name].slice(0, LABEL_MAX).join('').trim();
    if (label === '') throw errors.refused('the group card has no name');
    const was = existing?.group ?? null;
    // Held until the caller's unit of work ends: a PUT of the same card, or of the same name,
    // running alongside waits here and then finds this one's card, as if it had come after.
    await repos.groups.lockBook(ownerId);
    if (!was && (await repos.groups.byNames(ownerId, [name])).length > 0) throw errors.preconditionFailed();
    const [holder] = await repos.groups.contactsByUids(ownerId, [uid]);
    if (holder) throw errors.uidConflict((await repos.davResources.byContactIds(ownerId, [holder.id]))[0]?.name ?? `${holder.id}.vcf`);
    const sameUid = await repos.groups.byUid(ownerId, uid);
    if (sameUid && sameUid.id !== was?.id) throw errors.uidConflict(sameUid.name);
    const sameLabel = await repos.groups.byLabel(ownerId, label);
    if (sameLabel && sameLabel.id !== was?.id) throw errors.refused(`the group ${sameLabel.name} already has this name`);

    let saved: ContactGroup | null;
    try {
      saved = await repos.groups.save(ownerId, { uid, label, card: read.card, name }, was?.id, versions ?? (was ? [was.version] : undefined));
    } catch (error) {
      if (error instanceof ContactChanged) throw errors.preconditionFailed();
      throw error;
    }
    if (!saved) throw errors.preconditionFailed();
    if (was && labelKey(was.label) !== labelKey(label)) await repos.contacts.renameLabel(ownerId, was.label, label);
    // The contacts of the book it names carry the label, and only they.
    const named = await repos.groups.contactsByUids(ownerId, [...new Set(read.group.members.map(memberKey))]);
    await repos.contacts.setLabelHolders(
      ownerId,
      label,
      named.map((m) => m.id),
    );
    const [card] = await asCards(ownerId, [(await repos.groups.byUid(ownerId, uid)) ?? saved]);
    return { created: !was, card: card! };
  }

  /** Deletes a group card (at one of `versions` when given) and takes its label off its members; the contacts stay. */
  async function remove(ownerId: string, card: { group?: ContactGroup }, versions: readonly number[] | undefined): Promise<boolean> {
    const group = card.group!;
    try {
      if (!(await repos.groups.delete(ownerId, group.id, versions))) {
        if (versions) throw errors.preconditionFailed();
        return false;
      }
    } catch (error) {
      if (error instanceof ContactChanged) throw errors.preconditionFailed();
      throw error;
    }
    await repos.contacts.deleteLabel(ownerId, group.label);
    return true;
  }

  /** A group card as vCard text, naming the members it was found with. */
  function render(card: { group?: DavGroupCard['group'] }, version: VCardVersion): string {
    return deps.cards.writeGroup(card.group!, card.group!.members, version);
  }

  /** A contact's card may not take a group card's UID (RFC 6352 no-uid-conflict). */
  async function assertUidFree(ownerId: string, uid: string): Promise<void> {
    const holder = await repos.groups.byUid(ownerId, uid);
    if (holder) throw errors.uidConflict(holder.name);
  }

  return { findCards, list, changedBetween, put, remove, render, assertUidFree };
}

export type DavGroups = ReturnType<typeof makeDavGroups>;
