import { FieldErrors } from '../../domain/errors.js';
import { hashToken, newOneTimeToken } from '../../domain/one-time-token.js';
import { checkEmail } from '../../domain/validation.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Mailer } from '../ports/mailer.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { resetLink } from './links.js';
import { EMAIL_RESEND_INTERVAL_MS } from './resend-verification.js';

export interface RequestPasswordResetDeps {
  uow: UnitOfWork;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  resetTokenTtlSeconds: number;
}

/**
 * Emails a single-use link to choose a new password. Says nothing about whether the account exists,
 * changes nothing on it, and sends at most one such email per address per minute.
 */
export function makeRequestPasswordReset(deps: RequestPasswordResetDeps) {
  return async function requestPasswordReset(input: Record<string, unknown>): Promise<void> {
    const errors = new FieldErrors();
    const email = checkEmail(errors, 'email', input.email);
    errors.throwIfAny();

    const now = deps.clock.now();
    const token = newOneTimeToken();
    const user = await deps.uow.run(async ({ users, tokens }) => {
      const found = await users.findByEmail(email!);
      if (!found) return null;
      const last = await tokens.lastIssuedAt(found.id, 'reset-password');
      if (last && now.getTime() - last.getTime() < EMAIL_RESEND_INTERVAL_MS) return null;
      await tokens.create({
        userId: found.id,
        purpose: 'reset-password',
        tokenHash: hashToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.resetTokenTtlSeconds * 1000),
      });
      return found;
    });
    if (!user) return;

    try {
      await deps.mailer.send({ kind: 'password-reset', to: user.email, username: user.username, link: resetLink(deps.publicUrl, token) });
    } catch (error) {
      deps.logger.warn({ userId: user.id, err: String(error) }, 'password reset email could not be sent');
    }
  };
}
