import { InMemoryUserCache } from '../../src/adapters/cache/in-memory-user-cache.js';
import { InMemoryLoginThrottle } from '../../src/adapters/rate-limit/in-memory-login-throttle.js';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import { makeAuthenticate } from '../../src/application/use-cases/authenticate.js';
import { makeCreateContact } from '../../src/application/use-cases/create-contact.js';
import { makeGetContact } from '../../src/application/use-cases/get-contact.js';
import { makeListContacts } from '../../src/application/use-cases/list-contacts.js';
import { makeReplaceContact } from '../../src/application/use-cases/replace-contact.js';
import { makePatchContact } from '../../src/application/use-cases/patch-contact.js';
import { makeDeleteContact } from '../../src/application/use-cases/delete-contact.js';
import { makeUpcomingBirthdays } from '../../src/application/use-cases/upcoming-birthdays.js';

import { makeCheckResetToken } from '../../src/application/use-cases/check-reset-token.js';
import { makeDeliverPendingEmails } from '../../src/application/use-cases/deliver-pending-emails.js';
import { makeLogIn } from '../../src/application/use-cases/log-in.js';
import { makeLogOut } from '../../src/application/use-cases/log-out.js';
import { makeRefreshSession } from '../../src/application/use-cases/refresh-session.js';
import { makeRegisterUser } from '../../src/application/use-cases/register-user.js';
import { makeRequestPasswordReset } from '../../src/application/use-cases/request-password-reset.js';
import { makeResendVerification } from '../../src/application/use-cases/resend-verification.js';
import { makeResetPassword } from '../../src/application/use-cases/reset-password.js';

import { makeUpdateAvatar } from '../../src/application/use-cases/update-avatar.js';
import { makeVerifyEmail } from '../../src/application/use-cases/verify-email.js';
import { InMemoryAvatarStorage } from './in-memory-avatar-storage.js';
import { CapturingLogger, CapturingMailer, FakeClock, FakePasswordHasher } from './fakes.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from './in-memory-repositories.js';

export const PUBLIC_URL = 'http://app.test';
/** Failed logins allowed per email per window in the fake world. */
export const LOGIN_FAILURES = { max: 5, windowSeconds: 60 };

export const RESET_TTL_S = 3600;

/** Every use-case closed over in-memory fakes: no network, no disk. */
export function fakeWorld() {
  const repos = inMemoryRepositories();
  const uow = new InMemoryUnitOfWork(repos);
  const clock = new FakeClock();
  const mailer = new CapturingMailer();
  const logger = new CapturingLogger();
  const hasher = new FakePasswordHasher();
  const cache = new InMemoryUserCache(300);
  const tokens = new JwtTokenService('test-secret-test-secret-test-secret!', 900, 1_209_600);
  const avatars = new InMemoryAvatarStorage();
  const dummyHash = async () => 'hashed:no one has this password';
  const loginThrottle = new InMemoryLoginThrottle(clock, LOGIN_FAILURES);
  const mailDeps = { uow, clock, publicUrl: PUBLIC_URL, verifyTokenTtlSeconds: 86_400 };

  const useCases = {
    registerUser: makeRegisterUser({ ...mailDeps, hasher }),
    verifyEmail: makeVerifyEmail({ uow, cache, clock }),
    resendVerification: makeResendVerification(mailDeps),
    logIn: makeLogIn({ repos, hasher, tokens, clock, dummyHash, loginThrottle }),
    refreshSession: makeRefreshSession({ repos, tokens, cache, clock }),
    logOut: makeLogOut({ repos, tokens, cache, clock }),
    authenticate: makeAuthenticate({ repos, tokens, cache, clock }),
    createContact: makeCreateContact({ repos, clock }),
    getContact: makeGetContact({ repos }),
    listContacts: makeListContacts({ repos }),
    replaceContact: makeReplaceContact({ repos, clock }),
    patchContact: makePatchContact({ repos, clock }),
    deleteContact: makeDeleteContact({ repos }),
    upcomingBirthdays: makeUpcomingBirthdays({ repos, clock }),

    requestPasswordReset: makeRequestPasswordReset({ uow, clock, publicUrl: PUBLIC_URL, resetTokenTtlSeconds: RESET_TTL_S }),
    checkResetToken: makeCheckResetToken({ repos, clock }),
    resetPassword: makeResetPassword({ repos, uow, hasher, cache, clock }),
    updateAvatar: makeUpdateAvatar({ repos, storage: avatars, cache }),
    deliverPendingEmails: makeDeliverPendingEmails({
      outbox: repos.outbox,
      mailer,
      clock,
      logger,
      retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 },
      leaseMs: 60_000,
    }),
  };
  /** Emails use-cases enqueued (pending ones still carry their link); `mailer` holds what delivery sent. */
  const outbox = repos.outbox;
  return { repos, uow, clock, outbox, mailer, logger, hasher, cache, tokens, loginThrottle, avatars, useCases };
}

export const PASSWORD = 'a perfectly fine passphrase';

/** A verified user with a live session. */
export async function verifiedUser(world: ReturnType<typeof fakeWorld>, email = 'ann@example.com') {
  const user = await world.useCases.registerUser({ username: 'Ann', email, password: PASSWORD });
  await world.useCases.verifyEmail(world.outbox.lastToken('verify-email', email));
  const pair = await world.useCases.logIn({ email, password: PASSWORD });
  return { user, ...pair };
}
