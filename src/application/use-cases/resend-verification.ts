import { FieldErrors } from '../../domain/errors.js';
import { checkEmail } from '../../domain/validation.js';
import type { BackgroundTasks } from '../ports/background-tasks.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import type { EmailInput } from '../shared/email-input.js';
import { verificationLink } from '../shared/email-links.js';
import { issueEmailToken } from '../shared/email-tokens.js';

export interface ResendVerificationDeps {
  uow: UnitOfWork;
  clock: Clock;
  tasks: BackgroundTasks;
  publicUrl: string;
  verifyTokenTtlSeconds: number;
}

/**
 * Sends a fresh link to an unverified account. Says nothing about whether the account exists: only
 * the address is checked before the caller is answered, the lookup and the email happen in the
 * background, so every address answers in the same time.
 */
export function makeResendVerification(deps: ResendVerificationDeps) {
  return async function resendVerification(input: EmailInput): Promise<void> {
    const errors = new FieldErrors();
    const email = checkEmail(errors, 'email', input.email);
    errors.throwIfAny();

    const now = deps.clock.now();
    deps.tasks.run('verification email', () =>
      deps.uow.run(async ({ users, tokens, outbox }) => {
        const found = await users.findByEmail(email!);
        if (!found || found.emailVerified) return;
        const token = await issueEmailToken(tokens, { userId: found.id, purpose: 'verify-email', now, ttlSeconds: deps.verifyTokenTtlSeconds });
        if (!token) return;
        await outbox.enqueue(
          { userId: found.id, kind: 'verify-email', to: found.email, username: found.username, link: verificationLink(deps.publicUrl, token) },
          now,
        );
      }),
    );
  };
}
