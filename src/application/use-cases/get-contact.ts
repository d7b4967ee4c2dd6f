import { type ContactView, pickFields, toVersionedContact, type VersionedContact, validateFieldSelection } from '../../domain/contact.js';
import { NotFound } from '../../domain/errors.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface GetContactDeps {
  repos: Pick<Repositories, 'contacts'>;
}

/** A contact with only the fields `fields=` named (and `id`), and the version its ETag is made of. */
export interface ProjectedContact {
  contact: Partial<ContactView>;
  version: number;
}

export interface GetContact {
  (ownerId: string, id: string): Promise<VersionedContact>;
  /** `fields` as the client sent it (`fields=`, a comma list, or undefined for every field); an unknown name is refused. */
  (ownerId: string, id: string, fields: unknown): Promise<ProjectedContact>;
}

/** One of the caller's contacts; someone else's is as absent as a missing one. */
export function makeGetContact(deps: GetContactDeps): GetContact {
  return async function getContact(ownerId: string, id: string, fields?: unknown): Promise<VersionedContact & ProjectedContact> {
    const selection = validateFieldSelection(fields);
    const contact = await deps.repos.contacts.findById(ownerId, id);
    if (!contact) throw new NotFound('contact');
    const versioned = toVersionedContact(contact);
    return { ...versioned, contact: pickFields(versioned.contact, selection) } as VersionedContact & ProjectedContact;
  };
}
