import { type ContactQueryInput, type ContactView, pickFields, toContactView, validateContactQuery, validateFieldSelection } from '../../domain/contact.js';
import { ValidationFailed } from '../../domain/errors.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface ListContactsDeps {
  repos: Pick<Repositories, 'contacts'>;
}

/** Search texts as the client sent them; limit and offset as numbers (NaN when unreadable); `fields` the comma list as sent. */
export type ListContactsInput = ContactQueryInput & { fields?: unknown };

export interface ContactList {
  items: Partial<ContactView>[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * A page of the caller's contacts, filtered (`q`, `label`, `firstName`, `lastName`, `email`),
 * sorted, and with only the fields `fields` names when it is given. Every invalid parameter is
 * named in one refusal.
 */
export function makeListContacts(deps: ListContactsDeps) {
  return async function listContacts(ownerId: string, input: ListContactsInput): Promise<ContactList> {
    const [query, selection] = bothChecked(
      () => validateContactQuery(input),
      () => validateFieldSelection(input.fields),
    );
    const page = await deps.repos.contacts.search(ownerId, query);
    return { items: page.items.map((contact) => pickFields(toContactView(contact), selection)), total: page.total, limit: query.limit, offset: query.offset };
  };
}

/** Runs two validations and, when either refuses, refuses with the fields of both. */
function bothChecked<A, B>(a: () => A, b: () => B): [A, B] {
  const errors: ValidationFailed['errors'][number][] = [];
  const run = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      errors.push(...error.errors);
      return undefined;
    }
  };
  const first = run(a);
  const second = run(b);
  if (errors.length > 0) throw new ValidationFailed(errors);
  return [first as A, second as B];
}
