import { toContactView, validateContactQuery, type ContactQueryInput, type ContactView } from '../../domain/contact.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface ListContactsDeps {
  repos: Pick<Repositories, 'contacts'>;
}

/** Search texts as the client sent them; limit and offset as numbers (NaN when unreadable). */
export type ListContactsInput = ContactQueryInput;

export interface ContactList {
  items: ContactView[];
  total: number;
  limit: number;
  offset: number;
}

/** A page of the caller's contacts, optionally filtered (`q`, `firstName`, `lastName`, `email`). */
export function makeListContacts(deps: ListContactsDeps) {
  return async function listContacts(ownerId: string, input: ListContactsInput): Promise<ContactList> {
    const query = validateContactQuery(input);
    const page = await deps.repos.contacts.search(ownerId, query);
    return { items: page.items.map(toContactView), total: page.total, limit: query.limit, offset: query.offset };
  };
}
