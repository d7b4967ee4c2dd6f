import { FieldErrors } from '../../domain/errors.js';
import { checkEmail } from '../../domain/validation.js';
import type { BackgroundTasks } from '../ports/background-tasks.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import type { EmailInput } from '../shared/email-input.js';
import { resetLink } from '../shared/email-links.js';
import { issueEmailToken } from '../shared/email-tokens.js';

export interface RequestPasswordResetDeps {
  uow: UnitOfWork;
  clock: Clock;
  tasks: BackgroundTasks;
  publicUrl: string;
  resetTokenTtlSeconds: number;
}

/**
 * Emails a single-use link to choose a new password. Says nothing about whether the account exists,
 * changes nothing on it, and sends at most one such email per address per minute. Only the address
 * is checked before the caller is answered: the lookup and the email happen in the background, so a
 * known and an unknown address answer in the same time.
 */
export function makeRequestPasswordReset(deps: RequestPasswordResetDeps) {
  return async function requestPasswordReset(input: EmailInput): Promise<void> {
    const errors = new FieldErrors();
    const email = checkEmail(errors, 'email', input.email);
    errors.throwIfAny();

    const now = deps.clock.now();
    deps.tasks.run('password-reset email', () =>
      deps.uow.run(async ({ users, tokens, outbox }) => {
        // Locked, so that an email switch committing meanwhile cannot leave a live link at the old address.
        const found = await users.findByEmail(email!, { lock: true });
        if (!found) return;
        const token = await issueEmailToken(tokens, { userId: found.id, purpose: 'reset-password', now, ttlSeconds: deps.resetTokenTtlSeconds });
        if (!token) return;
        await outbox.enqueue(
          { userId: found.id, kind: 'password-reset', to: found.email, username: found.username, link: resetLink(deps.publicUrl, token) },
          now,
        );
      }),
    );
  };
}
