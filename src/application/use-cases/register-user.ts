import { defaultAvatarUrl, toPublicUser, validateSignup, type PublicUser } from '../../domain/user.js';
import type { Clock } from '../ports/clock.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { verificationLink } from '../shared/email-links.js';
import { createEmailToken } from '../shared/email-tokens.js';

export interface RegisterUserDeps {
  uow: UnitOfWork;
  hasher: PasswordHasher;
  clock: Clock;
  publicUrl: string;
  verifyTokenTtlSeconds: number;
}

/** What a client sent to sign up; the domain's signup rules check each field, other keys (emailVerified…) are ignored. */
export type RegisterUserInput = { username?: unknown; email?: unknown; password?: unknown } & Record<string, unknown>;

/** The verification email goes to the outbox with the account, so it cannot be lost while the account exists. */
export function makeRegisterUser(deps: RegisterUserDeps) {
  return async function registerUser(input: RegisterUserInput): Promise<PublicUser> {
    const { username, email, password } = validateSignup(input);
    const passwordHash = await deps.hasher.hash(password);
    const now = deps.clock.now();

    const user = await deps.uow.run(async ({ users, tokens, outbox }) => {
      const created = await users.create({ username, email, passwordHash, avatarUrl: defaultAvatarUrl(email) });
      const token = await createEmailToken(tokens, { userId: created.id, purpose: 'verify-email', now, ttlSeconds: deps.verifyTokenTtlSeconds });
      await outbox.enqueue(
        { userId: created.id, kind: 'verify-email', to: created.email, username: created.username, link: verificationLink(deps.publicUrl, token) },
        now,
      );
      return created;
    });
    return toPublicUser(user);
  };
}
