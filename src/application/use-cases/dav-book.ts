import { utcDay } from '../../domain/birthdays.js';
import { ContactChanged, NotAVCardFile } from '../../domain/contact.errors.js';
import { type Contact, type ContactFields, type KeptCard, type StoredPhoto, validateContact } from '../../domain/contact.js';
import { ValidationFailed } from '../../domain/errors.js';
import { decodeSyncToken, encodeSyncToken, type SyncPosition } from '../../domain/sync.js';
import type { Clock } from '../ports/clock.js';
import type { CardRead, CarriedImage, ContactCardFormat, ContactFileReader, VCardVersion } from '../ports/contact-card-format.js';
import type { FeedChange, FeedPage, FeedResource, FeedVersion } from '../ports/contact-repository.js';
import type { ContactGroup } from '../ports/contact-group-repository.js';
import type { DavResource } from '../ports/dav-resource-repository.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';
import { makeDavGroups } from './dav-groups.js';
import { type ContactPhotoDeps, discardContactPhotos, storeContactPhoto } from './set-contact-photo.js';

/** A card of the book as CardDAV shows it: the contact, its resource name and its UID. */
export interface DavCard {
  contact: Contact;
  name: string;
  uid: string;
  /** Set for a group card (dav-groups.ts): the group, with its members' UIDs; `contact` then stands for the group. */
  group?: ContactGroup & { members: string[] };
}

/** A card as a listing of ETags names it: its resource name, version (the ETag) and last write. */
export interface DavCardVersion {
  name: string;
  version: number;
  updatedAt: string;
}

/** What a sync answers: the cards changed (whole, or as versions), the names removed, and where to go on from. */
export interface DavChanges<Card> {
  changed: Card[];
  removed: string[];
  next: string;
  more: boolean;
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
  repos: Pick<Repositories, 'contacts' | 'davResources' | 'groups'>;
  /** A PUT's contact (or group card) and its resource name commit together. */
  uow: UnitOfWork;
  cards: ContactCardFormat;
  clock: Clock;
  /**
   * Contact photos: a card's inline PHOTO becomes the contact's photo (as an import does), and a
   * contact's photo goes inline in its card (as the export writes it). Without it, a PHOTO stays
   * in the kept card as it came and stored photos are left out.
   */
  photos?: ContactPhotoDeps;
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

/** The resource name of a contact no client named (one made over REST). */
const defaultName = (contactId: string) => `${contactId}.vcf`;

/** A contact as a card: under the name and UID it was PUT with, else under its default name. */
function cardOf(contact: Contact, resource: { name: string; uid: string } | undefined): DavCard {
  return { contact, name: resource?.name ?? defaultName(contact.id), uid: resource?.uid ?? uidOf(contact) };
}

/**
 * The caller's book as one CardDAV address book: cards by resource name, and create-or-replace
 * and delete through the same repository as REST, so that a change either way shows at once with
 * the same ETag (the contact's version).
 */
export function makeDavBook(deps: DavBookDeps) {
  const { repos } = deps;
  type Reads = Pick<Repositories, 'contacts' | 'davResources' | 'groups'>;
  /** The book's group cards (dav-groups.ts), read and written through `r`. */
  const groupsOf = (r: Reads) =>
    makeDavGroups({
      repos: r,
      cards: deps.cards,
      errors: {
        refused: (reason) => new DavCardRefused('valid-address-data', reason),
        uidConflict: (name) => new DavUidConflict(name),
        preconditionFailed: () => new DavPreconditionFailed(),
      },
    });
  const groups = groupsOf(repos);

  async function withNames(ownerId: string, contacts: Contact[], r: Reads = repos): Promise<DavCard[]> {
    const named = new Map(
      (
        await r.davResources.byContactIds(
          ownerId,
          contacts.map((c) => c.id),
        )
      ).map((r) => [r.contactId, r]),
    );
    return contacts.map((contact) => cardOf(contact, named.get(contact.id)));
  }

  /** The card (a contact's, else a group's) under this resource name; null when the book has none. */
  async function findCard(ownerId: string, name: string, r: Reads = repos): Promise<DavCard | null> {
    return (await findContactCard(ownerId, name, r)) ?? (await groupsOf(r).findCards(ownerId, [name]))[0] ?? null;
  }

  async function findContactCard(ownerId: string, name: string, r: Reads): Promise<DavCard | null> {
    const resource = await r.davResources.byName(ownerId, name);
    if (resource) {
      const contact = await r.contacts.findById(ownerId, resource.contactId);
      return contact ? { contact, name, uid: resource.uid } : null;
    }
    const id = DEFAULT_NAME.exec(name)?.[1];
    if (!id) return null;
    const contact = await r.contacts.findById(ownerId, id);
    if (!contact) return null;
    const [card] = await withNames(ownerId, [contact], r);
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
    const named = await repos.davResources.byNames(ownerId, unique);
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
    return encodeSyncToken(ownerId, { change: await repos.contacts.bookVersion(ownerId), id: '', floor: 0 });
  }

  /**
   * The cards changed since a sync token (every live card without one) and the names of those that
   * left the book, in commit order, at most `limit`, with the token to go on from. Throws
   * InvalidSyncToken or SyncTokenExpired for a token the feed cannot answer.
   */
  function changesSince(ownerId: string, token: string | null, limit: number): Promise<DavChanges<DavCard>> {
    return changes(
      ownerId,
      token,
      (since) => repos.contacts.changesSince(ownerId, since, limit),
      (change, resource) => cardOf(change.contact, resource),
      (group) => group,
    );
  }

  /** The same as changesSince, each card as its name and version only: a sync that asks for ETags alone. */
  function versionsSince(ownerId: string, token: string | null, limit: number): Promise<DavChanges<DavCardVersion>> {
    return changes(
      ownerId,
      token,
      (since) => repos.contacts.versionsSince(ownerId, since, limit),
      (change, resource) => ({ name: resource?.name ?? defaultName(change.id), version: change.version, updatedAt: change.updatedAt }),
      (group) => ({ name: group.name, version: group.contact.version, updatedAt: group.contact.updatedAt }),
    );
  }

  async function changes<Change extends FeedChange | FeedVersion, Card>(
    ownerId: string,
    token: string | null,
    read: (since: SyncPosition | null) => Promise<FeedPage<Change>>,
    live: (change: Change & { deleted: false }, resource: FeedResource | undefined) => Card,
    group: (card: DavCard) => Card,
  ): Promise<DavChanges<Card>> {
    const since = token === null ? null : decodeSyncToken(ownerId, token);
    // The feed answers each change's resource name with it: one read, whatever the page holds.
    const page = await read(since);
    const changed: Card[] = [];
    const removed: string[] = [];
    for (const change of page.changes) {
      if (change.deleted) removed.push(change.resource?.name ?? defaultName(change.id));
      else changed.push(live(change as Change & { deleted: false }, change.resource));
    }
    // The group cards that changed in the same stretch of the book's changes (up to where this page
    // ends). A token the book has not moved past, or past every group card's last change, leaves
    // that stretch without group cards: nothing to ask for.
    const after = since?.change ?? null;
    const noGroupChanged = after !== null && (after >= page.next.change || (page.groupsLastChange !== undefined && after >= page.groupsLastChange));
    const groupChanges = noGroupChanged ? { changed: [], removed: [] } : await groups.changedBetween(ownerId, after, page.next.change);
    changed.push(...groupChanges.changed.map(group));
    removed.push(...groupChanges.removed);
    return { changed, removed, next: encodeSyncToken(ownerId, page.next), more: page.more };
  }

  /** Reads the one vCard of a PUT body, or says which precondition it fails. */
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

  function readCard(first: CardRead): {
    fields: ContactFields;
    card: KeptCard;
    uid: string;
    image: CarriedImage | null;
    photoProperty: KeptCard['properties'][number] | null;
  } {
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
    return { fields, card: { uid, properties: first.card.properties }, uid, image: first.photo ?? null, photoProperty: first.photoProperty ?? null };
  }

  /**
   * Stores a card's inline photo as the contact's (fitted, as an import does). Null when the card
   * has none, or one that cannot be stored (not an image we take, storage down): its PHOTO
   * property then stays in the kept card, written back as it came.
   */
  async function storeCardPhoto(ownerId: string, image: CarriedImage | null): Promise<StoredPhoto | null> {
    if (!image || !deps.photos) return null;
    const outcome = await storeContactPhoto(deps.photos, ownerId, image);
    return 'photo' in outcome ? outcome.photo : null;
  }

  /**
   * Creates or replaces the card under `name` from a vCard body, every property kept. Emails other
   * contacts hold are stored anyway (a phone's book is not refused for a duplicate).
   */
  async function putCard(
    ownerId: string,
    name: string,
    body: Uint8Array,
    condition: PutCondition = {},
  ): Promise<{ created: boolean; card: DavCard; changedByServer: boolean }> {
    // Read before the transaction (no lock held while parsing or fitting a photo), refused only
    // after the preconditions, as before. A group card is read here and stored by dav-groups.
    const read = (async () => {
      try {
        const first = await readBody(body);
        if (first.group) return { first, value: null, photo: null };
        const value = readCard(first);
        return { first, value, photo: await storeCardPhoto(ownerId, value.image) };
      } catch (error) {
        return { error };
      }
    })();
    let stored: StoredPhoto | null = null;
    let replaced: StoredPhoto | null = null;
    try {
      // The contact, its photo and its resource name commit together: a failure between them leaves none.
      const result = await deps.uow.run(async (r) => {
        const existing = await findCard(ownerId, name, r);
        if (existing && condition.mustNotExist) throw new DavPreconditionFailed();
        if (!existing && (condition.mustExist || condition.versions)) throw new DavPreconditionFailed();
        if (existing && condition.versions && !condition.versions.includes(existing.contact.version)) throw new DavPreconditionFailed();
        const parsed = await read;
        if ('error' in parsed) throw parsed.error;
        if (parsed.value === null || existing?.group) {
          const put = await groupsOf(r).put(ownerId, name, parsed.first, existing, condition.versions);
          return { ...put, changedByServer: false };
        }
        const { fields, uid, photoProperty } = parsed.value;
        stored = parsed.photo;
        // A photo stored as the contact's leaves the kept card; one that could not be keeps its PHOTO.
        const card: KeptCard =
          stored || !photoProperty ? parsed.value.card : { ...parsed.value.card, properties: [...parsed.value.card.properties, photoProperty] };
        await groupsOf(r).assertUidFree(ownerId, uid);
        const holder = await r.davResources.byUid(ownerId, uid);
        // A UID whose card is gone (trashed, purged) may be taken again: a client deletes and re-creates.
        if (holder && holder.contactId !== existing?.contact.id && (await r.contacts.findById(ownerId, holder.contactId))) {
          throw new DavUidConflict(holder.name);
        }
        if (!existing) {
          // A REST contact's UID is its id: a card may not take it under another name.
          const byId = DEFAULT_NAME.exec(`${uid}.vcf`) ? await findCard(ownerId, `${uid}.vcf`, r) : null;
          if (byId) throw new DavUidConflict(byId.name);
        }
        let contact: Contact | null;
        if (existing) {
          try {
            contact = await r.contacts.update(ownerId, existing.contact.id, { fields, card }, 'allow', condition.versions ?? [existing.contact.version]);
          } catch (error) {
            if (error instanceof ContactChanged) throw new DavPreconditionFailed();
            throw error;
          }
          if (!contact) throw new DavPreconditionFailed();
        } else {
          contact = await r.contacts.create(ownerId, { fields, card }, 'allow');
        }
        // The card replaces the contact whole: its photo is the card's (none when it has none).
        if (stored || contact.photo) {
          const set = await r.contacts.setPhoto(ownerId, contact.id, stored);
          if (set) {
            contact = set.contact;
            replaced = set.previous;
          }
        }
        const resource: DavResource = { contactId: contact.id, name, uid };
        await r.davResources.save(ownerId, resource);
        return { created: !existing, card: { contact, name, uid }, changedByServer: stored !== null };
      });
      if (replaced && deps.photos) await discardContactPhotos(deps.photos, [replaced]);
      return result;
    } catch (error) {
      const parsed = await read;
      const orphan = 'photo' in parsed ? parsed.photo : null;
      if (orphan && deps.photos) await discardContactPhotos(deps.photos, [orphan]);
      throw error;
    }
  }

  /** Deletes the card under `name` (to the trash, like REST); false when the book has none. */
  async function deleteCard(ownerId: string, name: string, versions?: readonly number[]): Promise<boolean> {
    const existing = await findCard(ownerId, name);
    if (!existing) {
      if (versions) throw new DavPreconditionFailed();
      return false;
    }
    if (existing.group) return deps.uow.run((r) => groupsOf(r).remove(ownerId, existing, versions));
    try {
      const deleted = await repos.contacts.delete(ownerId, existing.contact.id, versions);
      if (!deleted && versions) throw new DavPreconditionFailed();
      return deleted;
    } catch (error) {
      if (error instanceof ContactChanged) throw new DavPreconditionFailed();
      throw error;
    }
  }

  /**
   * The card as vCard text: its kept properties, the fields written over them (the REST view and
   * the card agree), and the contact's photo inline when given (see `photoOf`).
   */
  function render(card: DavCard, version: VCardVersion, photo: CarriedImage | null = null): string {
    if (card.group) return groups.render(card, version);
    return deps.cards.write(card.contact, version, photo);
  }

  /** The contact's stored photo, for its card; null (no read) for a contact without one, or one storage no longer has. */
  async function photoOf(card: DavCard): Promise<CarriedImage | null> {
    if (card.contact.photo === null || !deps.photos) return null;
    return deps.photos.photos.read(card.contact.photo);
  }

  return { findCard, findCards, listCards, bookTag, currentSyncToken, changesSince, versionsSince, putCard, deleteCard, render, photoOf };
}

export type DavBook = ReturnType<typeof makeDavBook>;
