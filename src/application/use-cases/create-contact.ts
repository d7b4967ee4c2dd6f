import { utcDay } from '../../domain/birthdays.js';
import { toVersionedContact, validateContact, type ContactInput, type VersionedContact } from '../../domain/contact.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface CreateContactDeps {
  repos: Pick<Repositories, 'contacts'>;
  clock: Clock;
}

/**
 * Adds a contact to the caller's book; an id, owner, etag or photo in the input is ignored. An
 * email another contact of the book holds is refused (ContactEmailTaken), as REST promises.
 */
export function makeCreateContact(deps: CreateContactDeps) {
  return async function createContact(ownerId: string, input: ContactInput): Promise<VersionedContact> {
    const fields = validateContact(input, utcDay(deps.clock.now()));
    return toVersionedContact(await deps.repos.contacts.create(ownerId, { fields }, 'refuse'));
  };
}
