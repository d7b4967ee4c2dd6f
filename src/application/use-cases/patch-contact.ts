import { utcDay } from '../../domain/birthdays.js';
import { toContactView, validateContactPatch, type ContactInput, type ContactView } from '../../domain/contact.js';
import { NotFound } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface PatchContactDeps {
  repos: Pick<Repositories, 'contacts'>;
  clock: Clock;
}

/** Changes only the fields given; an empty change answers the contact as it is. */
export function makePatchContact(deps: PatchContactDeps) {
  return async function patchContact(ownerId: string, id: string, input: ContactInput): Promise<ContactView> {
    const changes = validateContactPatch(input, utcDay(deps.clock.now()));
    const contact =
      Object.keys(changes).length === 0
        ? await deps.repos.contacts.findById(ownerId, id)
        : await deps.repos.contacts.update(ownerId, id, changes);
    if (!contact) throw new NotFound('contact');
    return toContactView(contact);
  };
}
