import { maskEmail } from '../../domain/account.js';
import { InvalidToken } from '../../domain/user.errors.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import { findLiveEmailChangeToken } from '../shared/email-change-tokens.js';

export interface ConfirmEmailChangeDeps {
  uow: UnitOfWork;
  cache: UserCache;
  clock: Clock;
}

/**
 * Switches the account to the address the link was sent to, now verified, and tells the old address;
 * in the same transaction every password-reset link issued before stops working. The link works once. If another account took the address meanwhile, the unique index refuses the
 * switch (EmailTaken) and nothing changes.
 */
export function makeConfirmEmailChange(deps: ConfirmEmailChangeDeps) {
  return async function confirmEmailChange(token: unknown): Promise<PublicUser> {
    const now = deps.clock.now();
    const user = await deps.uow.run(async ({ tokens, users, outbox }) => {
      const record = await findLiveEmailChangeToken(tokens, token, now);
      if (!(await tokens.consume(record.id, now))) throw new InvalidToken();
      const before = await users.findById(record.userId);
      if (!before) throw new InvalidToken();
      const after = await users.setEmail(record.userId, record.newEmail);
      if (!after) throw new InvalidToken();
      // Reset links issued until now went to the old address, which may no longer be the owner's.
      await tokens.consumeAllForUser(after.id, 'reset-password', now);
      await outbox.enqueue({ userId: after.id, kind: 'email-changed', to: before.email, username: after.username, newEmail: maskEmail(after.email) }, now);
      return after;
    });
    await deps.cache.evictUser(user.id);
    return toPublicUser(user);
  };
}
