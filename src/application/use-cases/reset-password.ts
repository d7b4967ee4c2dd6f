import { FieldErrors } from '../../domain/errors.js';
import { checkPassword } from '../../domain/password-policy.js';
import { InvalidToken } from '../../domain/user.errors.js';
import type { Clock } from '../ports/clock.js';
import type { OneTimeTokenRecord } from '../ports/one-time-token-repository.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import { findLiveResetToken } from '../shared/reset-tokens.js';

export interface ResetPasswordDeps {
  repos: Pick<Repositories, 'tokens'>;
  uow: UnitOfWork;
  hasher: PasswordHasher;
  cache: UserCache;
  clock: Clock;
}

/**
 * Sets a new password with an emailed reset token. The link is checked before the password (so a
 * dead link is not worth a hash), and a refused password leaves the link usable. The link is then
 * claimed in one atomic step before the password is hashed, so parallel uses of one link cost one
 * hash and exactly one wins; if the hash or the change fails, the claim is released. Then, at once:
 * the new hash, every reset link of the user spent, every session revoked, every app password deleted and every access token
 * refused (the token version moves on). Reading the link proves the mailbox is the user's, so the
 * email counts as verified. No one is logged in.
 */
/** The token from the emailed link and the new password, as the client sent them. */
export interface ResetPasswordInput {
  token?: unknown;
  password?: unknown;
}

export function makeResetPassword(deps: ResetPasswordDeps) {
  return async function resetPassword(input: ResetPasswordInput): Promise<void> {
    const now = deps.clock.now();
    const record = await findLiveResetToken(deps.repos.tokens, input.token, now);

    const errors = new FieldErrors();
    const password = checkPassword(errors, 'password', input.password);
    errors.throwIfAny();

    // A concurrent reset with the same link got there first.
    if (!(await deps.repos.tokens.consume(record.id, now))) throw new InvalidToken();
    let changed: Awaited<ReturnType<typeof changePassword>>;
    try {
      changed = await changePassword(deps, record, password!, now);
    } catch (error) {
      if (!(error instanceof InvalidToken)) await deps.repos.tokens.release(record.id, now).catch(() => {});
      throw error;
    }
    // The new token version becomes a floor and every revoked session gets a tombstone, so a request
    // that read the user or a session before this change cannot write it back into the cache.
    await deps.cache.evictUser(changed.user.id, changed.user.tokenVersion);
    await Promise.all(changed.revoked.map((id) => deps.cache.evictSession(id)));
  };
}

/** Hashes the new password, then changes it and revokes everything in one transaction. */
async function changePassword(deps: ResetPasswordDeps, record: OneTimeTokenRecord, password: string, now: Date) {
  const passwordHash = await deps.hasher.hash(password);
  return deps.uow.run(async ({ users, tokens, sessions, outbox, appPasswords }) => {
    const updated = await users.setPassword(record.userId, passwordHash);
    if (!updated) throw new InvalidToken();
    await tokens.consumeAllForUser(updated.id, 'reset-password', now);
    await tokens.consumeAllForUser(updated.id, 'change-email', now);
    const revoked = await sessions.revokeAllForUser(updated.id, now);
    await appPasswords.deleteAllForUser(updated.id);
    if (!updated.emailVerified) await users.markEmailVerified(updated.id);
    await outbox.enqueue({ userId: updated.id, kind: 'password-changed', to: updated.email, username: updated.username }, now);
    return { user: updated, revoked };
  });
}
