import { type Contact, toVersionedContact, type VersionedContact } from '../../domain/contact.js';
import { ContactChanged } from '../../domain/contact.errors.js';
import { mergeContactFields } from '../../domain/duplicates.js';
import { FieldErrors, NotFound } from '../../domain/errors.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import type { ContactPhotoDeps } from './set-contact-photo.js';

export interface MergeContactsDeps extends Pick<ContactPhotoDeps, 'photos' | 'logger'> {
  uow: UnitOfWork;
}

/** Contacts one merge may fold into another. */
export const MERGE_MAX = 50;

/** Ids are UUIDs, which the database compares without regard to case. */
const idKey = (id: string) => id.toLowerCase();

/** `ids` of a merge: 1–50 distinct strings, not the kept contact's own id. */
export function validateMergeIds(input: unknown, keptId: string): string[] {
  const errors = new FieldErrors();
  const ids = (input as { ids?: unknown } | null | undefined)?.ids;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) errors.add('ids', 'must be a list of contact ids');
  else if (ids.length === 0) errors.add('ids', 'must name at least one contact to merge');
  else if (ids.length > MERGE_MAX) errors.add('ids', `must name at most ${MERGE_MAX} contacts`);
  else if (ids.some((other) => idKey(other) === idKey(keptId))) errors.add('ids', 'must not hold the id of the contact merged into');
  else if (new Set(ids.map(idKey)).size !== ids.length) errors.add('ids', 'must not name a contact twice');
  errors.throwIfAny();
  return ids as string[];
}

/**
 * Folds the contacts of `ids` into the contact `id`: it keeps its own values and fills its empty
 * fields from the others in the order given, the lists and labels united (mergeContactFields), and
 * the first photo of the others when it has none. The others then go to the trash, all in one
 * transaction. With `expectedVersions` (If-Match) only while the kept contact is at one of them;
 * it is written at the version read either way, so a change made meanwhile is never overwritten
 * (412). The merge may give the kept contact an email another contact holds (the duplicates route
 * shows such pairs; a merge is never refused for it).
 *
 * The kept contact's vCard properties (its `card`) stay; the others keep theirs in the trash, and
 * their photos, so that a restore gives them back whole. The photo the kept contact takes moves:
 * the contact it came from goes to the trash without it, so that purging that one later never
 * removes the kept contact's photo from storage.
 */
export function makeMergeContacts(deps: MergeContactsDeps) {
  return async function mergeContacts(ownerId: string, id: string, input: unknown, expectedVersions?: readonly number[]): Promise<VersionedContact> {
    const ids = validateMergeIds(input, id);
    const { merged } = await deps.uow.run(async (repos) => {
      const kept = await repos.contacts.findById(ownerId, id);
      if (!kept) throw new NotFound('contact');
      if (expectedVersions && !expectedVersions.includes(kept.version)) throw new ContactChanged();
      const found = new Map((await repos.contacts.findByIds(ownerId, ids)).map((c) => [idKey(c.id), c]));
      const others = ids.map((otherId) => found.get(idKey(otherId)));
      if (others.some((c) => c === undefined)) throw new NotFound('contact');
      const folded = others as Contact[];
      let result = await repos.contacts.update(ownerId, id, { fields: mergeContactFields(kept, folded) }, 'allow', [kept.version]);
      if (!result) throw new NotFound('contact');
      const photo = kept.photo ? null : (folded.find((c) => c.photo !== null)?.photo ?? null);
      if (photo) {
        const set = await repos.contacts.setPhoto(ownerId, id, photo, [result.version]);
        if (!set) throw new NotFound('contact');
        result = set.contact;
      }
      for (const other of folded) {
        if (photo && other.photo?.key === photo.key && !(await repos.contacts.setPhoto(ownerId, other.id, null))) throw new NotFound('contact');
        if (!(await repos.contacts.delete(ownerId, other.id))) throw new NotFound('contact');
      }
      return { merged: result };
    });
    return toVersionedContact(merged);
  };
}
