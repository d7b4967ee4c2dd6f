import { ContactChanged } from '../../domain/contact.errors.js';
import { NotFound } from '../../domain/errors.js';
import type { ContactPhotoStorage } from '../ports/contact-photo-storage.js';
import type { Logger } from '../ports/logger.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { discardContactPhotos } from './set-contact-photo.js';

export interface RemoveContactPhotoDeps {
  repos: Pick<Repositories, 'contacts'>;
  photos: ContactPhotoStorage;
  logger: Logger;
}

/**
 * Takes the photo off one of the caller's contacts, then out of the store. A contact without a
 * photo is left as it is (its ETag does not move). With `expectedVersions` (If-Match), only while
 * the contact is at one of them.
 */
export function makeRemoveContactPhoto(deps: RemoveContactPhotoDeps) {
  return async function removeContactPhoto(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<void> {
    const current = await deps.repos.contacts.findById(ownerId, id);
    if (!current) throw new NotFound('contact');
    if (expectedVersions && !expectedVersions.includes(current.version)) throw new ContactChanged();
    if (!current.photo) return;
    const result = await deps.repos.contacts.setPhoto(ownerId, id, null, expectedVersions);
    if (!result) throw new NotFound('contact');
    if (result.previous) await discardContactPhotos(deps, [result.previous]);
  };
}
