import { NotFound } from '../../domain/errors.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { carriedLabelName } from '../shared/label-name.js';

export interface DeleteLabelDeps {
  repos: Pick<Repositories, 'contacts' | 'groups'>;
}

/**
 * Takes a label off every contact of the caller's book; the contacts stay. A label no contact
 * carries is NotFound, as for a rename: a client that deletes one it still shows learns that its
 * list is stale. The label's group card goes with it.
 */
export function makeDeleteLabel(deps: DeleteLabelDeps) {
  return async function deleteLabel(ownerId: string, name: string): Promise<void> {
    const label = carriedLabelName(name);
    if (label === null || !(await deps.repos.contacts.deleteLabel(ownerId, label))) throw new NotFound('label');
    await deps.repos.groups.deleteByLabel(ownerId, label);
  };
}
