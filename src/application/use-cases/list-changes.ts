import { type ContactView, toContactView } from '../../domain/contact.js';
import { ValidationFailed } from '../../domain/errors.js';
import { decodeSyncToken, encodeSyncToken } from '../../domain/sync.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { pagingNumber } from './contact-trash.js';

export const CHANGES_DEFAULT_LIMIT = 100;
export const CHANGES_MAX_LIMIT = 1000;

export interface ChangeList {
  changes: ({ id: string; deleted: false; contact: ContactView } | { id: string; deleted: true })[];
  next: string;
  more: boolean;
}

/**
 * The book's changes after a sync token (every live contact without one), in commit order, each
 * contact once with its latest state. A malformed token, or one of another book, is 400
 * INVALID_SYNC_TOKEN; one older than the book remembers 410 SYNC_TOKEN_EXPIRED.
 */
export function makeListChanges(deps: { repos: Pick<Repositories, 'contacts'> }) {
  return async function listChanges(ownerId: string, input: { since?: unknown; limit?: number }): Promise<ChangeList> {
    const errors: ValidationFailed['errors'] = [];
    const limit = pagingNumber(errors, 'limit', input.limit, CHANGES_DEFAULT_LIMIT, 1, CHANGES_MAX_LIMIT);
    if (errors.length > 0) throw new ValidationFailed(errors);
    const since = input.since === undefined ? null : decodeSyncToken(ownerId, typeof input.since === 'string' ? input.since : '');
    const page = await deps.repos.contacts.changesSince(ownerId, since, limit);
    return {
      changes: page.changes.map((c) => (c.deleted ? { id: c.id, deleted: true } : { id: c.id, deleted: false, contact: toContactView(c.contact) })),
      next: encodeSyncToken(ownerId, page.next),
      more: page.more,
    };
  };
}
