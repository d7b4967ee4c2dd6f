import { FieldErrors } from '../../domain/errors.js';
import { checkEmail } from '../../domain/validation.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { resetLink } from '../shared/email-links.js';
import { issueEmailToken } from '../shared/email-tokens.js';

export interface RequestPasswordResetDeps {
  uow: UnitOfWork;
  clock: Clock;
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
    await deps.uow.run(async ({ users, tokens, outbox }) => {
      const found = await users.findByEmail(email!);
      if (!found) return;
      const token = await issueEmailToken(tokens, { userId: found.id, purpose: 'reset-password', now, ttlSeconds: deps.resetTokenTtlSeconds });
      if (!token) return;
      await outbox.enqueue({ userId: found.id, kind: 'password-reset', to: found.email, username: found.username, link: resetLink(deps.publicUrl, token) }, now);
    });
  };
}
