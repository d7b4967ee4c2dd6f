import { type ContactView, toContactView } from '../../domain/contact.js';
import { DuplicateGrouper, type DuplicateReason, duplicateKeysOf } from '../../domain/duplicates.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface FindDuplicatesDeps {
  repos: Pick<Repositories, 'contacts'>;
}

export interface DuplicateGroupView {
  reason: DuplicateReason;
  contacts: ContactView[];
}

/** Contacts read per page of the scan, and fetched per round trip afterwards. */
export const DUPLICATES_BATCH = 500;

/**
 * The caller's contacts that look like one person, in groups (see findDuplicateGroups for the
 * rules). The book is read a page at a time and each page grouped as it comes, keeping only what is
 * compared (ids, email and phone keys, the name key), so a book of 50,000 contacts is never held
 * whole nor grouped in one long step; only the grouped contacts are then read in full.
 */
export function makeFindDuplicates(deps: FindDuplicatesDeps) {
  return async function findDuplicates(ownerId: string): Promise<{ groups: DuplicateGroupView[] }> {
    const grouper = new DuplicateGrouper();
    for await (const batch of deps.repos.contacts.listAll(ownerId, DUPLICATES_BATCH)) for (const contact of batch) grouper.add(duplicateKeysOf(contact));
    const groups = grouper.groups();
    const ids = groups.flatMap((g) => g.ids);
    const byId = new Map<string, ContactView>();
    for (let start = 0; start < ids.length; start += DUPLICATES_BATCH) {
      for (const contact of await deps.repos.contacts.findByIds(ownerId, ids.slice(start, start + DUPLICATES_BATCH)))
        byId.set(contact.id, toContactView(contact));
    }
    // A contact deleted between the scan and the read leaves its group; a group left with one contact is no group.
    return {
      groups: groups.map((g) => ({ reason: g.reason, contacts: g.ids.flatMap((id) => byId.get(id) ?? []) })).filter((g) => g.contacts.length > 1),
    };
  };
}
