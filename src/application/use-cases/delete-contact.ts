import { NotFound } from '../../domain/errors.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface DeleteContactDeps {
  repos: Pick<Repositories, 'contacts'>;
}

export function makeDeleteContact(deps: DeleteContactDeps) {
  return async function deleteContact(ownerId: string, id: string): Promise<void> {
    if (!(await deps.repos.contacts.delete(ownerId, id))) throw new NotFound('contact');
  };
}
