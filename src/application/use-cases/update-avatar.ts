import { checkAvatarImage } from '../../domain/avatar.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { AvatarStorage } from '../ports/avatar-storage.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';

export interface UpdateAvatarDeps {
  repos: Pick<Repositories, 'users'>;
  storage: AvatarStorage;
  cache: UserCache;
}

export interface UpdateAvatarInput {
  userId: string;
  /** The uploaded file's bytes; its name and declared type are never used. */
  image: Uint8Array | undefined;
}

/**
 * Replaces the caller's avatar. The image is judged by its bytes; the user's URL changes only once
 * the store has it, and the cached user is dropped so the next request shows the new one.
 */
export function makeUpdateAvatar(deps: UpdateAvatarDeps) {
  return async function updateAvatar(input: UpdateAvatarInput): Promise<PublicUser> {
    const image = checkAvatarImage(input.image);
    const url = await deps.storage.save(input.userId, image);
    const user = await deps.repos.users.setAvatarUrl(input.userId, url);
    if (!user) throw new Unauthenticated();
    await deps.cache.evictUser(user.id);
    return toPublicUser(user);
  };
}
