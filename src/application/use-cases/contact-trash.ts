import { type ContactView, toContactView, toVersionedContact, type VersionedContact } from '../../domain/contact.js';
import { NotFound, ValidationFailed } from '../../domain/errors.js';
import type { Logger } from '../ports/logger.js';
import type { ContactPhotoStorage } from '../ports/contact-photo-storage.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { discardContactPhotos } from './set-contact-photo.js';

export interface ContactTrashDeps {
  repos: Pick<Repositories, 'contacts'>;
  photos: ContactPhotoStorage;
  logger: Logger;
}

export const TRASH_DEFAULT_LIMIT = 20;
export const TRASH_MAX_LIMIT = 100;

export interface TrashPage {
  items: (ContactView & { deletedAt: string })[];
  total: number;
  limit: number;
  offset: number;
}

/** A paging number as the client sent it (NaN when unreadable, undefined when absent), checked against its range. */
export function pagingNumber(errors: ValidationFailed['errors'], field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) errors.push({ field, message: `must be a whole number from ${min} to ${max}` });
  return value;
}

/** The caller's trash, most recently deleted first. */
export function makeListTrash(deps: Pick<ContactTrashDeps, 'repos'>) {
  return async function listTrash(ownerId: string, input: { limit?: number; offset?: number }): Promise<TrashPage> {
    const errors: ValidationFailed['errors'] = [];
    const limit = pagingNumber(errors, 'limit', input.limit, TRASH_DEFAULT_LIMIT, 1, TRASH_MAX_LIMIT);
    const offset = pagingNumber(errors, 'offset', input.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    if (errors.length > 0) throw new ValidationFailed(errors);
    const page = await deps.repos.contacts.listTrash(ownerId, limit, offset);
    return { items: page.items.map((i) => ({ ...toContactView(i.contact), deletedAt: i.deletedAt })), total: page.total, limit, offset };
  };
}

/** Brings a contact back from the trash as it was; refused (409) while a live contact holds one of its emails. */
export function makeRestoreContact(deps: Pick<ContactTrashDeps, 'repos'>) {
  return async function restoreContact(ownerId: string, id: string): Promise<VersionedContact> {
    const restored = await deps.repos.contacts.restore(ownerId, id, 'refuse');
    if (!restored) throw new NotFound('contact');
    return toVersionedContact(restored);
  };
}

/** Purges one trashed contact (`id`) or the whole trash (null) for good, and its photos from their store. */
export function makePurgeTrash(deps: ContactTrashDeps) {
  return async function purgeTrash(ownerId: string, id: string | null): Promise<void> {
    const photos = await deps.repos.contacts.purge(ownerId, id);
    if (photos === null) throw new NotFound('contact');
    if (photos.length > 0) await discardContactPhotos(deps, photos);
  };
}

/**
 * Purges every book's contacts trashed more than `days` ago (and forgets tombstones as old), a
 * batch of books at a time until none is left; answers how many contacts went. Safe on several
 * instances at once: each contact is purged, and its photo removed, by one of them.
 */
export function makePurgeExpiredTrash(deps: ContactTrashDeps & { days: number; now: () => Date }) {
  return async function purgeExpiredTrash(maxBooks = 100): Promise<number> {
    const before = new Date(deps.now().getTime() - deps.days * 86_400_000);
    let purged = 0;
    for (;;) {
      const result = await deps.repos.contacts.purgeExpired(before, maxBooks);
      purged += result.purged;
      if (result.photos.length > 0) await discardContactPhotos(deps, result.photos);
      if (!result.more) return purged;
    }
  };
}
