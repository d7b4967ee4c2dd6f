import { utcDay } from '../../domain/birthdays.js';
import {
  applyContactPatch,
  CONTACT_FIELDS,
  type Contact,
  type ContactFields,
  type ContactInput,
  type ContactPatch,
  NAME_REQUIRED,
  onlyIndependentFields,
  toVersionedContact,
  type VersionedContact,
  validateContactPatch,
} from '../../domain/contact.js';
import { ContactChanged } from '../../domain/contact.errors.js';
import { NotFound, ValidationFailed } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface PatchContactDeps {
  repos: Pick<Repositories, 'contacts'>;
  clock: Clock;
}

/**
 * How many times a PATCH without If-Match reads the contact again when another write moved it
 * between the read and the conditional write; beyond that the race is reported (412) rather
 * than retried for ever.
 */
const RACE_RETRIES = 3;

/**
 * Changes only the fields given; an empty change answers the contact as it is. `email`/`phone`
 * act on the first entries of the stored lists, and whether the result still has a name depends
 * on the stored contact too, so the change is applied to the contact as read and written only
 * while it is still at that version. With `expectedVersions` (from If-Match) the client's version
 * must be the current one; without, a write that lost a race reads again and re-applies.
 */
export function makePatchContact(deps: PatchContactDeps) {
  /**
   * The change, checked. When other fields are invalid, a change that also clears the first name
   * of a contact without an organization is told so in the same answer, which needs the contact.
   */
  async function validatedPatch(ownerId: string, id: string, input: ContactInput): Promise<ContactPatch> {
    try {
      return validateContactPatch(input, utcDay(deps.clock.now()));
    } catch (error) {
      if (!(error instanceof ValidationFailed) || !blank(input.firstName) || input.firstName === undefined) throw error;
      if (error.errors.some((e) => e.field === 'firstName' || e.field === 'organization')) throw error;
      const organization = input.organization === undefined ? (await deps.repos.contacts.findById(ownerId, id))?.organization : input.organization;
      if (organization === undefined || !blank(organization)) throw error;
      throw new ValidationFailed([...error.errors, { field: 'firstName', message: NAME_REQUIRED }]);
    }
  }

  return async function patchContact(ownerId: string, id: string, input: ContactInput, expectedVersions?: readonly number[]): Promise<VersionedContact> {
    const patch = await validatedPatch(ownerId, id, input);
    if (Object.keys(patch.first).length === 0 && onlyIndependentFields(patch.fields)) {
      // Nothing else of the contact depends on these fields: written as given, in one statement.
      const updated = await deps.repos.contacts.update(ownerId, id, { fields: patch.fields }, 'refuse', expectedVersions);
      if (!updated) throw new NotFound('contact');
      return toVersionedContact(updated);
    }
    for (let attempt = 0; ; attempt++) {
      const current = await deps.repos.contacts.findById(ownerId, id);
      if (!current) throw new NotFound('contact');
      if (expectedVersions && !expectedVersions.includes(current.version)) throw new ContactChanged();
      if (Object.keys(patch.fields).length === 0 && Object.keys(patch.first).length === 0) return toVersionedContact(current);
      const next = applyContactPatch(current, patch);
      try {
        const updated = await deps.repos.contacts.update(ownerId, id, { fields: changedFields(current, next) }, 'refuse', [current.version]);
        if (!updated) throw new NotFound('contact');
        return toVersionedContact(updated);
      } catch (error) {
        if (!(error instanceof ContactChanged) || expectedVersions || attempt >= RACE_RETRIES) throw error;
      }
    }
  };
}

const blank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** The fields whose values the change moves; an unchanged list is not rewritten. */
function changedFields(current: Contact, next: ContactFields): Partial<ContactFields> {
  const changed: Record<string, unknown> = {};
  for (const field of CONTACT_FIELDS) {
    if (JSON.stringify(next[field]) !== JSON.stringify(current[field])) changed[field] = next[field];
  }
  return changed as Partial<ContactFields>;
}
