import { maskEmail } from '../../domain/account.js';
import { FieldErrors } from '../../domain/errors.js';
import { hashToken, newOneTimeToken } from '../../domain/one-time-token.js';
import { EmailTaken, Unauthenticated } from '../../domain/user.errors.js';
import { checkEmail, emailKey, requiredString } from '../../domain/validation.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';
import { checkCurrentPassword, type PasswordCheckDeps } from '../shared/current-password.js';
import { emailChangeLink } from '../shared/email-links.js';
import { EMAIL_RESEND_INTERVAL_MS } from '../shared/email-tokens.js';

export interface RequestEmailChangeDeps extends PasswordCheckDeps {
  repos: Pick<Repositories, 'users'>;
  uow: UnitOfWork;
  clock: Clock;
  publicUrl: string;
  verifyTokenTtlSeconds: number;
}

export interface RequestEmailChangeInput {
  newEmail?: unknown;
  currentPassword?: unknown;
  /** The caller's address, for the failed-login count. */
  clientIp?: string;
}

/**
 * Asks to move the caller's account to another address. Nothing changes yet: the new address gets a
 * single-use link (only the newest one works; at most one such email per address per minute), and the
 * current address is told what was asked, the new address partly masked. An address another account uses is refused at once (and checked again
 * when the link is used).
 */
export function makeRequestEmailChange(deps: RequestEmailChangeDeps) {
  return async function requestEmailChange(userId: string, input: RequestEmailChangeInput): Promise<void> {
    const errors = new FieldErrors();
    const newEmail = checkEmail(errors, 'newEmail', input.newEmail);
    const currentPassword = requiredString(errors, 'currentPassword', input.currentPassword);
    errors.throwIfAny();

    const user = await deps.repos.users.findById(userId);
    if (!user) throw new Unauthenticated();
    await checkCurrentPassword(deps, user, currentPassword!, input.clientIp);
    if (emailKey(newEmail!) === emailKey(user.email)) {
      errors.add('newEmail', 'is already the address of this account');
      errors.throwIfAny();
    }
    const holder = await deps.repos.users.findByEmail(newEmail!);
    if (holder && holder.id !== user.id) throw new EmailTaken();

    const now = deps.clock.now();
    const token = newOneTimeToken();
    await deps.uow.run(async ({ tokens, outbox }) => {
      // Older links die because this one is newer (see findLiveEmailChangeToken). None is made, and
      // nothing mailed to the new address, when it got a confirmation less than a minute ago from any
      // account: the link it holds stays the one that works. The notice to the owner always goes.
      const issued = await tokens.createUnlessIssuedSince(
        {
          userId: user.id,
          purpose: 'change-email',
          tokenHash: hashToken(token),
          createdAt: now,
          expiresAt: new Date(now.getTime() + deps.verifyTokenTtlSeconds * 1000),
          newEmail: newEmail!,
        },
        new Date(now.getTime() - EMAIL_RESEND_INTERVAL_MS),
      );
      if (issued) {
        await outbox.enqueue(
          { userId: user.id, kind: 'email-change-confirm', to: newEmail!, username: user.username, link: emailChangeLink(deps.publicUrl, token) },
          now,
        );
      }
      await outbox.enqueue({ userId: user.id, kind: 'email-change-requested', to: user.email, username: user.username, newEmail: maskEmail(newEmail!) }, now);
    });
  };
}
