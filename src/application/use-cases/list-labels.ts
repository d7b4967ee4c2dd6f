import type { LabelCount } from '../ports/contact-repository.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface ListLabelsDeps {
  repos: Pick<Repositories, 'contacts'>;
}

/** Every label of the caller's book with how many contacts carry it, by name. */
export function makeListLabels(deps: ListLabelsDeps) {
  return async function listLabels(ownerId: string): Promise<{ items: LabelCount[] }> {
    return { items: await deps.repos.contacts.labels(ownerId) };
  };
}
