import { FieldErrors } from '../../domain/errors.js';
import { hashToken, newOneTimeToken } from '../../domain/one-time-token.js';
import { checkEmail } from '../../domain/validation.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { verificationLink } from './links.js';

export interface ResendVerificationDeps {
  uow: UnitOfWork;
  clock: Clock;
  publicUrl: string;
  verifyTokenTtlSeconds: number;
}

export const EMAIL_RESEND_INTERVAL_MS = 60_000;

/** Sends a fresh link to an unverified account. Says nothing about whether the account exists. */
export function makeResendVerification(deps: ResendVerificationDeps) {
  return async function resendVerification(input: Record<string, unknown>): Promise<void> {
    const errors = new FieldErrors();
    const email = checkEmail(errors, 'email', input.email);
    errors.throwIfAny();

    const now = deps.clock.now();
    const token = newOneTimeToken();
    await deps.uow.run(async ({ users, tokens, outbox }) => {
      const found = await users.findByEmail(email!);
      if (!found || found.emailVerified) return;
      const last = await tokens.lastIssuedAt(found.id, 'verify-email');
      if (last && now.getTime() - last.getTime() < EMAIL_RESEND_INTERVAL_MS) return;
      await tokens.create({
        userId: found.id,
        purpose: 'verify-email',
        tokenHash: hashToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.verifyTokenTtlSeconds * 1000),
      });
      await outbox.enqueue({ userId: found.id, kind: 'verify-email', to: found.email, username: found.username, link: verificationLink(deps.publicUrl, token) }, now);
    });
  };
}
