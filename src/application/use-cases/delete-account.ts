import { FieldErrors } from '../../domain/errors.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { requiredString } from '../../domain/validation.js';
import type { StoredPhoto } from '../../domain/contact.js';
import type { AvatarStorage } from '../ports/avatar-storage.js';
import type { BackgroundTasks } from '../ports/background-tasks.js';
import type { Clock } from '../ports/clock.js';
import type { ContactPhotoStorage } from '../ports/contact-photo-storage.js';
import type { Logger } from '../ports/logger.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import { checkCurrentPassword, type PasswordCheckDeps } from '../shared/current-password.js';
import { discardContactPhotos } from './set-contact-photo.js';

export interface DeleteAccountDeps extends PasswordCheckDeps {
  repos: Pick<Repositories, 'users'>;
  uow: UnitOfWork;
  cache: UserCache;
  clock: Clock;
  avatars: AvatarStorage;
  photos: ContactPhotoStorage;
  tasks: BackgroundTasks;
  logger: Logger;
}

export interface DeleteAccountInput {
  password?: unknown;
  /** The caller's address, for the failed-login count. */
  clientIp?: string;
}

/**
 * Deletes the caller's account, knowing its password. In one transaction: every session revoked,
 * every email still queued about the account dropped, the user deleted (its contacts, app passwords and
 * one-time tokens go with it), and a goodbye email queued. Then every token is refused on every instance,
 * and the avatar leaves its store; a store that fails then is logged, the account stays deleted.
 * The contacts' photos, read in the same transaction, leave their store in the background (a book
 * may hold thousands).
 */
export function makeDeleteAccount(deps: DeleteAccountDeps) {
  return async function deleteAccount(userId: string, input: DeleteAccountInput): Promise<void> {
    const errors = new FieldErrors();
    const password = requiredString(errors, 'password', input.password);
    errors.throwIfAny();

    const user = await deps.repos.users.findById(userId);
    if (!user) throw new Unauthenticated();
    await checkCurrentPassword(deps, user, password!, input.clientIp);

    const now = deps.clock.now();
    const photos: StoredPhoto[] = [];
    const sessionIds = await deps.uow.run(async ({ users, sessions, outbox, contacts }) => {
      photos.length = 0;
      for await (const batch of contacts.listAll(user.id, 1000)) for (const contact of batch) if (contact.photo) photos.push(contact.photo);
      // The trash's photos go too (its rows go with the user, by the foreign key's cascade).
      for await (const batch of contacts.listAllTrash(user.id, 1000)) for (const { contact } of batch) if (contact.photo) photos.push(contact.photo);
      const revoked = await sessions.revokeAllForUser(user.id, now);
      await outbox.deleteForUser(user.id);
      if (!(await users.delete(user.id))) throw new Unauthenticated();
      await outbox.enqueue({ userId: user.id, kind: 'account-deleted', to: user.email, username: user.username }, now);
      return revoked;
    });
    await deps.cache.evictUser(user.id);
    for (const id of sessionIds) await deps.cache.evictSession(id);
    try {
      await deps.avatars.remove(user.id);
    } catch (error) {
      deps.logger.warn({ userId: user.id, err: { message: (error as Error).message } }, 'avatar of a deleted account could not be removed');
    }
    if (photos.length > 0) {
      try {
        deps.tasks.run('remove the photos of a deleted account', () => discardContactPhotos(deps, photos));
      } catch {
        // The queue is full: removed now, before answering, rather than left behind.
        await discardContactPhotos(deps, photos);
      }
    }
  };
}
