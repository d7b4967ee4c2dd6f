import { InMemoryAdmission } from '../../src/adapters/cache/in-memory-admission.js';
import { InMemoryUserCache } from '../../src/adapters/cache/in-memory-user-cache.js';
import { InMemoryLoginThrottle } from '../../src/adapters/rate-limit/in-memory-login-throttle.js';
import { InMemoryUserRateLimiter } from '../../src/adapters/rate-limit/in-memory-user-rate-limiter.js';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import { CsvContactFileReader } from '../../src/adapters/csv/csv-contact-file-reader.js';
import { IcalContactCardFormat } from '../../src/adapters/vcard/ical-contact-card-format.js';
import { makeDeliverPendingEmails } from '../../src/application/use-cases/deliver-pending-emails.js';
import { PQueueBackgroundTasks } from '../../src/adapters/tasks/p-queue-background-tasks.js';
import type { EmailInput } from '../../src/application/shared/email-input.js';
import { makeUseCases } from '../../src/application/use-cases.js';
import { SharpImageProcessor } from '../../src/adapters/image/sharp-image-processor.js';
import { InMemoryAvatarStorage } from './in-memory-avatar-storage.js';
import { InMemoryContactPhotoStorage } from './in-memory-contact-photo-storage.js';
import { CapturingLogger, CapturingMailer, FakeClock, FakePasswordHasher } from './fakes.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from './in-memory-repositories.js';

export const PUBLIC_URL = 'http://app.test';
/** Failed logins allowed per email per window in the fake world. */
export const LOGIN_FAILURES = { max: 5, windowSeconds: 60 };

export const RESET_TTL_S = 3600;
/** Imports run at once in the fake world: more than one, so imports into different books overlap as they may in production. */
export const IMPORTS_AT_ONCE = 2;

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
  const photos = new InMemoryContactPhotoStorage();
  // In-process, with no backing service: the same image processor as production.
  const images = new SharpImageProcessor();
  const loginThrottle = new InMemoryLoginThrottle(clock, LOGIN_FAILURES);
  const tasks = new PQueueBackgroundTasks(logger);
  const wired = makeUseCases({
    repos,
    uow,
    hasher,
    tokens,
    cache,
    admission: new InMemoryAdmission(cache, new InMemoryUserRateLimiter(clock)),
    clock,
    avatars,
    images,
    photos,
    // Stateless, with no backing service: the same vCard adapter as production.
    cards: new IcalContactCardFormat(),
    csvCards: new CsvContactFileReader(),
    loginThrottle,
    tasks,
    logger,
    publicUrl: PUBLIC_URL,
    verifyTokenTtlSeconds: 86_400,
    resetTokenTtlSeconds: RESET_TTL_S,
    importsAtOnce: IMPORTS_AT_ONCE,
  });
  const useCases = {
    ...wired,
    // They answer before their work is done (it runs in the background); here the call waits for it,
    // so a test reads the outbox right after.
    requestPasswordReset: async (input: EmailInput) => {
      await wired.requestPasswordReset(input);
      await tasks.drain();
    },
    resendVerification: async (input: EmailInput) => {
      await wired.resendVerification(input);
      await tasks.drain();
    },
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
  return { repos, uow, clock, outbox, mailer, logger, hasher, cache, tokens, loginThrottle, avatars, photos, images, tasks, useCases };
}

export const PASSWORD = 'a perfectly fine passphrase';

/** A verified user with a live session. */
export async function verifiedUser(world: ReturnType<typeof fakeWorld>, email = 'ann@example.com') {
  const user = await world.useCases.registerUser({ username: 'Ann', email, password: PASSWORD });
  await world.useCases.verifyEmail(world.outbox.lastToken('verify-email', email));
  const pair = await world.useCases.logIn({ email, password: PASSWORD });
  return { user, ...pair };
}
