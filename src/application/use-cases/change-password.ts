import { randomUUID } from 'node:crypto';
import { FieldErrors } from '../../domain/errors.js';
import { checkPassword } from '../../domain/password-policy.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { requiredString } from '../../domain/validation.js';
import type { Clock } from '../ports/clock.js';
import type { TokenService } from '../ports/token-service.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';
import { checkCurrentPassword, type PasswordCheckDeps } from '../shared/current-password.js';
import { issuePair, type TokenPair } from '../shared/token-pair.js';

export interface ChangePasswordDeps extends PasswordCheckDeps {
  repos: Pick<Repositories, 'users'>;
  uow: UnitOfWork;
  tokens: TokenService;
  cache: UserCache;
  clock: Clock;
}

export interface ChangePasswordInput {
  currentPassword?: unknown;
  newPassword?: unknown;
  /** The caller's address, for the failed-login count. */
  clientIp?: string;
}

/**
 * Changes the caller's password, knowing the current one. At once: the token version moves on (so
 * every access token issued before, the caller's included, is refused), every other session is
 * revoked, every app password is deleted, pending email-change and reset links die, and a notice is emailed. The calling session
 * lives on with a new pair, its previous refresh token spent.
 */
export function makeChangePassword(deps: ChangePasswordDeps) {
  return async function changePassword(caller: { userId: string; sessionId: string }, input: ChangePasswordInput): Promise<TokenPair> {
    const errors = new FieldErrors();
    const currentPassword = requiredString(errors, 'currentPassword', input.currentPassword);
    const newPassword = checkPassword(errors, 'newPassword', input.newPassword);
    if (newPassword !== undefined && newPassword === currentPassword) errors.add('newPassword', 'must differ from the current password');
    errors.throwIfAny();

    const user = await deps.repos.users.findById(caller.userId);
    if (!user) throw new Unauthenticated();
    await checkCurrentPassword(deps, user, currentPassword!, input.clientIp);
    const passwordHash = await deps.hasher.hash(newPassword!);

    const now = deps.clock.now();
    const jti = randomUUID();
    const { updated, revoked } = await deps.uow.run(async ({ users, sessions, tokens, outbox, appPasswords }) => {
      const session = await sessions.findById(caller.sessionId);
      const expiresAt = new Date(now.getTime() + deps.tokens.refreshTtlSeconds * 1000);
      // The caller's session ended meanwhile (logged out elsewhere): no new pair for it.
      if (!session || session.userId !== caller.userId || !(await sessions.rotate(session.id, session.refreshJti, jti, expiresAt, now))) {
        throw new Unauthenticated();
      }
      const changed = await users.setPassword(caller.userId, passwordHash);
      if (!changed) throw new Unauthenticated();
      const others = await sessions.revokeAllForUser(caller.userId, now, caller.sessionId);
      // Devices synced with the old password's account must be set up again.
      await appPasswords.deleteAllForUser(caller.userId);
      await tokens.consumeAllForUser(caller.userId, 'change-email', now);
      await tokens.consumeAllForUser(caller.userId, 'reset-password', now);
      await outbox.enqueue({ userId: changed.id, kind: 'password-changed', to: changed.email, username: changed.username }, now);
      return { updated: changed, revoked: others };
    });
    // The new version is a floor: a request that read the user before cannot cache the old one again.
    await deps.cache.evictUser(updated.id, updated.tokenVersion);
    for (const id of revoked) await deps.cache.evictSession(id);
    return issuePair(deps.tokens, { userId: updated.id, sessionId: caller.sessionId, tokenVersion: updated.tokenVersion, jti });
  };
}
