import { hashToken, newOneTimeToken } from '../../domain/one-time-token.js';
import { defaultAvatarUrl, toPublicUser, validateSignup, type PublicUser } from '../../domain/user.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Mailer } from '../ports/mailer.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { verificationLink } from './links.js';

export interface RegisterUserDeps {
  uow: UnitOfWork;
  hasher: PasswordHasher;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  verifyTokenTtlSeconds: number;
}

export function makeRegisterUser(deps: RegisterUserDeps) {
  return async function registerUser(input: Record<string, unknown>): Promise<PublicUser> {
    const { username, email, password } = validateSignup(input);
    const passwordHash = await deps.hasher.hash(password);
    const token = newOneTimeToken();
    const now = deps.clock.now();

    const user = await deps.uow.run(async ({ users, tokens }) => {
      const created = await users.create({ username, email, passwordHash, avatarUrl: defaultAvatarUrl(email) });
      await tokens.create({
        userId: created.id,
        purpose: 'verify-email',
        tokenHash: hashToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.verifyTokenTtlSeconds * 1000),
      });
      return created;
    });

    try {
      await deps.mailer.send({ kind: 'verify-email', to: user.email, username: user.username, link: verificationLink(deps.publicUrl, token) });
    } catch (error) {
      deps.logger.warn({ userId: user.id, err: String(error) }, 'verification email could not be sent');
    }
    return toPublicUser(user);
  };
}
