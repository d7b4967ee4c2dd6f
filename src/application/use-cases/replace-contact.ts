import { utcDay } from '../../domain/birthdays.js';
import { toVersionedContact, validateContact, type ContactInput, type VersionedContact } from '../../domain/contact.js';
import { NotFound } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface ReplaceContactDeps {
  repos: Pick<Repositories, 'contacts'>;
  clock: Clock;
}

/**
 * Replaces every field of one of the caller's contacts: a field left out is cleared. The photo
 * and the card it came from are not fields and stay (the card's mapped properties follow the
 * fields when it is written). Gaining an email another contact holds is refused; keeping one is
 * not. With `expectedVersions` (from If-Match), only while the contact is still at one of them.
 */
export function makeReplaceContact(deps: ReplaceContactDeps) {
  return async function replaceContact(ownerId: string, id: string, input: ContactInput, expectedVersions?: readonly number[]): Promise<VersionedContact> {
    const fields = validateContact(input, utcDay(deps.clock.now()));
    const contact = await deps.repos.contacts.update(ownerId, id, { fields }, 'refuse', expectedVersions);
    if (!contact) throw new NotFound('contact');
    return toVersionedContact(contact);
  };
}
