import { NotFound } from '../../domain/errors.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface RevokeAppPasswordDeps {
  repos: Pick<Repositories, 'appPasswords'>;
}

/**
 * Deletes one of the caller's app passwords. Nothing caches them (every DAV request looks its
 * digest up), so every instance refuses it from the next request on. Another user's or an unknown
 * id is NotFound.
 */
export function makeRevokeAppPassword(deps: RevokeAppPasswordDeps) {
  return async function revokeAppPassword(userId: string, id: string): Promise<void> {
    if (!(await deps.repos.appPasswords.deleteForUser(userId, id))) throw new NotFound('app password');
  };
}
