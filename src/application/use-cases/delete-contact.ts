import { NotFound } from '../../domain/errors.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface DeleteContactDeps {
  repos: Pick<Repositories, 'contacts'>;
}

/** With `expectedVersions` (from If-Match), only while the contact is still at one of them. */
export function makeDeleteContact(deps: DeleteContactDeps) {
  return async function deleteContact(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<void> {
    if (!(await deps.repos.contacts.delete(ownerId, id, expectedVersions))) throw new NotFound('contact');
  };
}
