import { utcDay } from '../../domain/birthdays.js';
import { toContactView, validateContact, type ContactInput, type ContactView } from '../../domain/contact.js';
import { NotFound } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface ReplaceContactDeps {
  repos: Pick<Repositories, 'contacts'>;
  clock: Clock;
}

/** Replaces every field of one of the caller's contacts; a field left out is required (notes become null). */
export function makeReplaceContact(deps: ReplaceContactDeps) {
  return async function replaceContact(ownerId: string, id: string, input: ContactInput): Promise<ContactView> {
    const fields = validateContact(input, utcDay(deps.clock.now()));
    const contact = await deps.repos.contacts.update(ownerId, id, fields);
    if (!contact) throw new NotFound('contact');
    return toContactView(contact);
  };
}
