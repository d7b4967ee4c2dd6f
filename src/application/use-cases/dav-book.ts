import { utcDay } from '../../domain/birthdays.js';
import { ContactChanged, NotAVCardFile } from '../../domain/contact.errors.js';
import { type Contact, type ContactFields, type KeptCard, validateContact } from '../../domain/contact.js';
import { ValidationFailed } from '../../domain/errors.js';
import { decodeSyncToken, encodeSyncToken } from '../../domain/sync.js';
import type { Clock } from '../ports/clock.js';
import type { CardRead, ContactCardFormat, ContactFileReader, VCardVersion } from '../ports/contact-card-format.js';
import type { ContactGroup } from '../ports/contact-group-repository.js';
import type { DavResource, DavResourceRepository } from '../ports/dav-resource-repository.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { makeDavGroups } from './dav-groups.js';

/** A card of the book as CardDAV shows it: the contact, its resource name and its UID. */
export interface DavCard {
  contact: Contact;
  name: string;
  uid: string;
  /** Set for a group card (dav-groups.ts): the group, with its members' UIDs; `contact` then stands for the group. */
  group?: ContactGroup & { members: string[] };
}

/** Why a PUT body is refused, named after the RFC 6352 precondition it fails. */
export class DavCardRefused extends Error {
  constructor(
    readonly precondition: 'valid-address-data' | 'supported-address-data',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'DavCardRefused';
  }
}

/** A PUT whose UID another resource of the book already has (RFC 6352 no-uid-conflict). */
export class DavUidConflict extends Error {
  constructor(readonly holderName: string) {
    super(`the UID is already the card ${holderName}'s`);
    this.name = 'DavUidConflict';
  }
}

/** A conditional request whose condition does not hold (If-Match, If-None-Match: *). */
export class DavPreconditionFailed extends Error {
  constructor() {
    super('the resource is not in the state the request expects');
    this.name = 'DavPreconditionFailed';
  }
}

export interface DavBookDeps {
  repos: Pick<Repositories, 'contacts' | 'groups'>;
  resources: DavResourceRepository;
  cards: ContactCardFormat;
  clock: Clock;
}

export interface PutCondition {
  /** If-Match versions; undefined when the header is absent or `*`. */
  versions?: readonly number[];
  /** If-Match: * (the resource must exist). */
  mustExist?: boolean;
  /** If-None-Match: * (the resource must not exist). */
  mustNotExist?: boolean;
}

const DEFAULT_NAME = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.vcf$/i;
const BATCH = 500;

/** The UID a contact's card is written with: its card's own, else its id (the vCard writer's rule). */
export function uidOf(contact: Contact): string {
  return contact.card?.uid ?? contact.id;
}

/**
 * The caller's book as one CardDAV address book: cards by resource name, and create-or-replace
 * and delete through the same repository as REST, so that a change either way shows at once with
 * the same ETag (the contact's version).
 */
export function makeDavBook(deps: DavBookDeps) {
  const { repos, resources } = deps;
  const groups = makeDavGroups({
    ...deps,
    errors: {
      refused: (reason) => new DavCardRefused('valid-address-data', reason),
      uidConflict: (name) => new DavUidConflict(name),
      preconditionFailed: () => new DavPreconditionFailed(),
    },
  });

  async function withNames(ownerId: string, contacts: Contact[]): Promise<DavCard[]> {
    const named = new Map(
      (
        await resources.byContactIds(
          ownerId,
          contacts.map((c) => c.id),
        )
      ).map((r) => [r.contactId, r]),
    );
    return contacts.map((contact) => {
      const resource = named.get(contact.id);
      return { contact, name: resource?.name ?? `${contact.id}.vcf`, uid: resource?.uid ?? uidOf(contact) };
    });
  }

  /** The card (a contact's, else a group's) under this resource name; null when the book has none. */
  async function findCard(ownerId: string, name: string): Promise<DavCard | null> {
    return (await findContactCard(ownerId, name)) ?? (await groups.findCards(ownerId, [name]))[0] ?? null;
  }

  async function findContactCard(ownerId: string, name: string): Promise<DavCard | null> {
    const resource = await resources.byName(ownerId, name);
    if (resource) {
      const contact = await repos.contacts.findById(ownerId, resource.contactId);
      return contact ? { contact, name, uid: resource.uid } : null;
    }
    const id = DEFAULT_NAME.exec(name)?.[1];
    if (!id) return null;
    const contact = await repos.contacts.findById(ownerId, id);
    if (!contact) return null;
    const [card] = await withNames(ownerId, [contact]);
    // A contact that was PUT under another name is not also found under its id.
    return card && card.name === name ? card : null;
  }

  /** Every card of the book, a batch at a time (oldest first). */
  async function* listCards(ownerId: string): AsyncIterable<DavCard[]> {
    for await (const batch of repos.contacts.listAll(ownerId, BATCH)) yield withNames(ownerId, batch);
    const groupCards = await groups.list(ownerId);
    if (groupCards.length > 0) yield groupCards;
  }

  /** The cards of these resource names the book has (unknown names left out), in three reads whatever their number. */
  async function findCards(ownerId: string, names: readonly string[]): Promise<Map<string, DavCard>> {
    const unique = [...new Set(names)];
    const named = await resources.byNames(ownerId, unique);
    const byName = new Map(named.map((r) => [r.name, r]));
    const ids = new Set(named.map((r) => r.contactId));
    for (const name of unique) {
      const id = byName.has(name) ? undefined : DEFAULT_NAME.exec(name)?.[1];
      if (id) ids.add(id.toLowerCase());
    }
    const contacts = await repos.contacts.findByIds(ownerId, [...ids]);
    const found = new Map<string, DavCard>();
    for (const card of await withNames(ownerId, contacts)) {
      // A card is found under its own name only (a contact PUT under a name is not also found under its id).
      if (unique.includes(card.name)) found.set(card.name, card);
    }
    const rest = unique.filter((name) => !found.has(name));
    if (rest.length > 0) for (const card of await groups.findCards(ownerId, rest)) found.set(card.name, card);
    return found;
  }

  /** The book's last change number: the CTag, which every write of the book (REST or DAV) moves. */
  async function bookTag(ownerId: string): Promise<string> {
    return String(await repos.contacts.bookVersion(ownerId));
  }

  /** The sync token of the book as it is now (every change up to its last one seen). */
  async function currentSyncToken(ownerId: string): Promise<string> {
    return encodeSyncToken({ change: await repos.contacts.bookVersion(ownerId), id: '', floor: 0 });
  }

  /**
   * The cards changed since a sync token (every live card without one) and the names of those that
   * left the book, in commit order, at most `limit`, with the token to go on from. Throws
   * InvalidSyncToken or SyncTokenExpired for a token the feed cannot answer.
   */
  async function changesSince(
    ownerId: string,
    token: string | null,
    limit: number,
  ): Promise<{ changed: DavCard[]; removed: string[]; next: string; more: boolean }> {
    const since = token === null ? null : decodeSyncToken(token);
    const page = await repos.contacts.changesSince(ownerId, since, limit);
    const live = page.changes.flatMap((c) => (c.deleted ? [] : [c.contact]));
    const gone = page.changes.flatMap((c) => (c.deleted ? [c.id] : []));
    const named = new Map((await resources.byContactIds(ownerId, gone)).map((r) => [r.contactId, r.name]));
    // The group cards that changed in the same stretch of the book's changes (up to where this page ends).
    const groupChanges = await groups.changedBetween(ownerId, since?.change ?? null, page.next.change);
    return {
      changed: [...(await withNames(ownerId, live)), ...groupChanges.changed],
      removed: [...gone.map((id) => named.get(id) ?? `${id}.vcf`), ...groupChanges.removed],
      next: encodeSyncToken(page.next),
      more: page.more,
    };
  }

  /** Reads one vCard into fields and the kept card, or says which precondition it fails. */
  async function readBody(body: Uint8Array): Promise<CardRead> {
    let read: Awaited<ReturnType<ContactFileReader['read']>>;
    try {
      read = await deps.cards.read(body, 2);
    } catch (error) {
      if (error instanceof NotAVCardFile) throw new DavCardRefused('supported-address-data', 'the body is not a vCard 3.0 or 4.0');
      throw new DavCardRefused('valid-address-data', 'the body must hold exactly one vCard');
    }
    if (read.length !== 1) throw new DavCardRefused('valid-address-data', 'the body must hold exactly one vCard');
    return read[0]!;
  }

  function readCard(first: CardRead): { fields: ContactFields; card: KeptCard; uid: string } {
    if (!first?.fields || !first.card) throw new DavCardRefused('valid-address-data', first?.problem ?? 'the card could not be read');
    const uid = first.card.uid?.trim();
    if (!uid) throw new DavCardRefused('valid-address-data', 'the card has no UID');
    let fields: ContactFields;
    try {
      fields = validateContact(first.fields, utcDay(deps.clock.now()));
    } catch (error) {
      if (error instanceof ValidationFailed) throw new DavCardRefused('valid-address-data', error.message);
      throw error;
    }
    // The photo is not stored as a contact photo here: its PHOTO property stays in the kept card, written back as it came.
    const properties = first.photoProperty ? [...first.card.properties, first.photoProperty] : first.card.properties;
    return { fields, card: { uid, properties }, uid };
  }

  /**
   * Creates or replaces the card under `name` from a vCard body, every property kept. Emails other
   * contacts hold are stored anyway (a phone's book is not refused for a duplicate).
   */
  async function putCard(ownerId: string, name: string, body: Uint8Array, condition: PutCondition = {}): Promise<{ created: boolean; card: DavCard }> {
    const existing = await findCard(ownerId, name);
    if (existing && condition.mustNotExist) throw new DavPreconditionFailed();
    if (!existing && (condition.mustExist || condition.versions)) throw new DavPreconditionFailed();
    if (existing && condition.versions && !condition.versions.includes(existing.contact.version)) throw new DavPreconditionFailed();
    const read = await readBody(body);
    if (read.group || existing?.group) return groups.put(ownerId, name, read, existing, condition.versions);
    const { fields, card, uid } = readCard(read);
    await groups.assertUidFree(ownerId, uid);
    const holder = await resources.byUid(ownerId, uid);
    // A UID whose card is gone (trashed, purged) may be taken again: a client deletes and re-creates.
    if (holder && holder.contactId !== existing?.contact.id && (await repos.contacts.findById(ownerId, holder.contactId))) {
      throw new DavUidConflict(holder.name);
    }
    if (!existing) {
      // A REST contact's UID is its id: a card may not take it under another name.
      const byId = DEFAULT_NAME.exec(`${uid}.vcf`) ? await findCard(ownerId, `${uid}.vcf`) : null;
      if (byId) throw new DavUidConflict(byId.name);
    }
    let contact: Contact | null;
    if (existing) {
      try {
        contact = await repos.contacts.update(ownerId, existing.contact.id, { fields, card }, 'allow', condition.versions ?? [existing.contact.version]);
      } catch (error) {
        if (error instanceof ContactChanged) throw new DavPreconditionFailed();
        throw error;
      }
      if (!contact) throw new DavPreconditionFailed();
    } else {
      contact = await repos.contacts.create(ownerId, { fields, card }, 'allow');
    }
    const resource: DavResource = { contactId: contact.id, name, uid };
    await resources.save(ownerId, resource);
    return { created: !existing, card: { contact, name, uid } };
  }

  /** Deletes the card under `name` (to the trash, like REST); false when the book has none. */
  async function deleteCard(ownerId: string, name: string, versions?: readonly number[]): Promise<boolean> {
    const existing = await findCard(ownerId, name);
    if (!existing) {
      if (versions) throw new DavPreconditionFailed();
      return false;
    }
    if (existing.group) return groups.remove(ownerId, existing, versions);
    try {
      const deleted = await repos.contacts.delete(ownerId, existing.contact.id, versions);
      if (!deleted && versions) throw new DavPreconditionFailed();
      return deleted;
    } catch (error) {
      if (error instanceof ContactChanged) throw new DavPreconditionFailed();
      throw error;
    }
  }

  /** The card as vCard text: its kept properties, the fields written over them (the REST view and the card agree). */
  function render(card: DavCard, version: VCardVersion): string {
    if (card.group) return groups.render(card, version);
    return deps.cards.write(card.contact, version);
  }

  return { findCard, findCards, listCards, bookTag, currentSyncToken, changesSince, putCard, deleteCard, render };
}

export type DavBook = ReturnType<typeof makeDavBook>;
