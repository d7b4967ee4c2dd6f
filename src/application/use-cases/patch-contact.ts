import { utcDay } from '../../domain/birthdays.js';
import { toVersionedContact, validateContactPatch, type ContactInput, type VersionedContact } from '../../domain/contact.js';
import { ContactChanged } from '../../domain/contact.errors.js';
import { NotFound } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface PatchContactDeps {
  repos: Pick<Repositories, 'contacts'>;
  clock: Clock;
}

/**
 * Changes only the fields given; an empty change answers the contact as it is. With
 * `expectedVersions` (from If-Match), only while the contact is still at one of them.
 */
export function makePatchContact(deps: PatchContactDeps) {
  return async function patchContact(ownerId: string, id: string, input: ContactInput, expectedVersions?: readonly number[]): Promise<VersionedContact> {
    const changes = validateContactPatch(input, utcDay(deps.clock.now()));
    if (Object.keys(changes).length === 0) {
      const contact = await deps.repos.contacts.findById(ownerId, id);
      if (!contact) throw new NotFound('contact');
      if (expectedVersions && !expectedVersions.includes(contact.version)) throw new ContactChanged();
      return toVersionedContact(contact);
    }
    const contact = await deps.repos.contacts.update(ownerId, id, changes, expectedVersions);
    if (!contact) throw new NotFound('contact');
    return toVersionedContact(contact);
  };
}
