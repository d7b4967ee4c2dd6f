import { toVersionedContact, type VersionedContact } from '../../domain/contact.js';
import { NotFound } from '../../domain/errors.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface GetContactDeps {
  repos: Pick<Repositories, 'contacts'>;
}

/** One of the caller's contacts; someone else's is as absent as a missing one. */
export function makeGetContact(deps: GetContactDeps) {
  return async function getContact(ownerId: string, id: string): Promise<VersionedContact> {
    const contact = await deps.repos.contacts.findById(ownerId, id);
    if (!contact) throw new NotFound('contact');
    return toVersionedContact(contact);
  };
}
