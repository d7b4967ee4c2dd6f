import { hashToken, looksLikeOneTimeToken } from '../../domain/one-time-token.js';
import { InvalidToken } from '../../domain/user.errors.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { Clock } from '../ports/clock.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';

export interface VerifyEmailDeps {
  uow: UnitOfWork;
  cache: UserCache;
  clock: Clock;
}

/**
 * Confirms the email the token was sent for. Idempotent: a second click on a link that has not
 * expired answers the same, so a mail client that pre-fetches links cannot spoil it.
 */
export function makeVerifyEmail(deps: VerifyEmailDeps) {
  return async function verifyEmail(token: unknown): Promise<PublicUser> {
    if (!looksLikeOneTimeToken(token)) throw new InvalidToken();
    const now = deps.clock.now();
    const user = await deps.uow.run(async ({ tokens, users }) => {
      const record = await tokens.findByHash('verify-email', hashToken(token));
      if (!record || record.expiresAt <= now) throw new InvalidToken();
      if (!record.consumedAt) await tokens.consume(record.id, now);
      const verified = await users.markEmailVerified(record.userId);
      if (!verified) throw new InvalidToken();
      return verified;
    });
    await deps.cache.evictUser(user.id);
    return toPublicUser(user);
  };
}
