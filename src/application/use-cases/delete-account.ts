import { FieldErrors } from '../../domain/errors.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { requiredString } from '../../domain/validation.js';
import type { AvatarStorage } from '../ports/avatar-storage.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import { checkCurrentPassword, type PasswordCheckDeps } from '../shared/current-password.js';

export interface DeleteAccountDeps extends PasswordCheckDeps {
  repos: Pick<Repositories, 'users'>;
  uow: UnitOfWork;
  cache: UserCache;
  clock: Clock;
  avatars: AvatarStorage;
  logger: Logger;
}

export interface DeleteAccountInput {
  password?: unknown;
  /** The caller's address, for the failed-login count. */
  clientIp?: string;
}

/**
 * Deletes the caller's account, knowing its password. In one transaction: every session revoked,
 * every email still queued about the account dropped, the user deleted (its contacts and one-time
 * tokens go with it), and a goodbye email queued. Then every token is refused on every instance,
 * and the avatar leaves its store; a store that fails then is logged, the account stays deleted.
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
    const sessionIds = await deps.uow.run(async ({ users, sessions, outbox }) => {
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
  };
}
