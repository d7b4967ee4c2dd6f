import { validateUsername } from '../../domain/account.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';

export interface UpdateUsernameDeps {
  repos: Pick<Repositories, 'users'>;
  cache: UserCache;
}

export interface UpdateUsernameInput {
  username?: unknown;
}

/** Renames the caller: the one field a user edits directly. */
export function makeUpdateUsername(deps: UpdateUsernameDeps) {
  return async function updateUsername(userId: string, input: UpdateUsernameInput): Promise<PublicUser> {
    const username = validateUsername(input);
    const user = await deps.repos.users.setUsername(userId, username);
    if (!user) throw new Unauthenticated();
    await deps.cache.evictUser(user.id);
    return toPublicUser(user);
  };
}
