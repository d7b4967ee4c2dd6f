import { LABEL_MAX } from '../../domain/contact.js';
import { FieldErrors, NotFound } from '../../domain/errors.js';
import { checkText } from '../../domain/validation.js';
import type { LabelCount } from '../ports/contact-repository.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { carriedLabelName } from '../shared/label-name.js';

export interface RenameLabelDeps {
  repos: Pick<Repositories, 'contacts' | 'groups'>;
}

/**
 * Renames a label on every contact of the caller's book that carries it (compared
 * case-insensitively), merging it into a label of the new name when one exists. The new name is
 * checked as a contact's label is (1–50 characters, no control characters) before anything else;
 * a label no contact carries is NotFound. The label's group card, if the book has one, is renamed
 * too, or dropped when merging into a label that has its own.
 */
export function makeRenameLabel(deps: RenameLabelDeps) {
  return async function renameLabel(ownerId: string, name: string, input: { name?: unknown }): Promise<LabelCount> {
    const errors = new FieldErrors();
    const to = checkText(errors, 'name', input.name, LABEL_MAX);
    errors.throwIfAny();
    const from = carriedLabelName(name);
    const renamed = from === null ? null : await deps.repos.contacts.renameLabel(ownerId, from, to!);
    if (!renamed) throw new NotFound('label');
    // Its group card follows (merged into a label that has one, the target's card stays).
    await deps.repos.groups.rename(ownerId, from!, to!);
    return renamed;
  };
}
