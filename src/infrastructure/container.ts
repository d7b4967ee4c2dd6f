import path from 'node:path';
import type Koa from 'koa';
import type { Knex } from 'knex';
import { InMemoryAdmission } from '../adapters/cache/in-memory-admission.js';
import { InMemoryUserCache } from '../adapters/cache/in-memory-user-cache.js';
import { RedisAdmission } from '../adapters/cache/redis-admission.js';
import { RedisUserCache } from '../adapters/cache/redis-user-cache.js';
import { createApp } from '../adapters/http/app.js';
import { SharpImageProcessor } from '../adapters/image/sharp-image-processor.js';
import type { ErrorTranslator } from '../adapters/http/middleware/error-handler.js';
import { createRateLimiters, type RateLimiters } from '../adapters/http/middleware/rate-limit.js';
import type { HealthCheck } from '../adapters/http/routes/operations.routes.js';
import { FileOutboxMailer } from '../adapters/mail/file-outbox-mailer.js';
import { NodemailerMailer } from '../adapters/mail/nodemailer-mailer.js';
import { KnexOutboxRepository } from '../adapters/persistence/knex-outbox-repository.js';
import { KnexUnitOfWork, knexRepositories } from '../adapters/persistence/knex-unit-of-work.js';
import { makeDavBook } from '../application/use-cases/dav-book.js';
import { davRoutes } from '../adapters/carddav/carddav.routes.js';
import { isDatabaseUnavailable, isForeignKeyViolation } from '../adapters/persistence/pg-errors.js';
import { InMemoryLoginThrottle } from '../adapters/rate-limit/in-memory-login-throttle.js';
import { InMemoryRateLimitStore } from '../adapters/rate-limit/in-memory-rate-limit-store.js';
import { InMemoryUserRateLimiter } from '../adapters/rate-limit/in-memory-user-rate-limiter.js';
import type { RateLimitStore } from '../adapters/rate-limit/rate-limit-store.js';
import { RedisLoginThrottle } from '../adapters/rate-limit/redis-login-throttle.js';
import { RedisLuaCommands } from '../adapters/rate-limit/redis-lua-commands.js';
import { RedisRateLimitStore } from '../adapters/rate-limit/redis-rate-limit-store.js';
import { RedisUserRateLimiter } from '../adapters/rate-limit/redis-user-rate-limiter.js';
import { JwtTokenService } from '../adapters/security/jwt-token-service.js';
import { WorkerBcryptPasswordHasher } from '../adapters/security/worker-bcrypt-password-hasher.js';
import { CloudinaryAvatarStorage } from '../adapters/storage/cloudinary-avatar-storage.js';
import { CloudinaryContactPhotoStorage } from '../adapters/storage/cloudinary-contact-photo-storage.js';
import { LocalDiskAvatarStorage } from '../adapters/storage/local-disk-avatar-storage.js';
import { LocalDiskContactPhotoStorage } from '../adapters/storage/local-disk-contact-photo-storage.js';
import { PQueueBackgroundTasks } from '../adapters/tasks/p-queue-background-tasks.js';
import { IcalContactCardFormat } from '../adapters/vcard/ical-contact-card-format.js';
import { CsvContactFileReader } from '../adapters/csv/csv-contact-file-reader.js';
import type { Admission } from '../application/ports/admission.js';
import type { AvatarStorage } from '../application/ports/avatar-storage.js';
import type { Clock } from '../application/ports/clock.js';
import type { ContactCardFormat } from '../application/ports/contact-card-format.js';
import type { ContactPhotoStorage } from '../application/ports/contact-photo-storage.js';
import type { Logger } from '../application/ports/logger.js';
import type { LoginThrottle } from '../application/ports/login-throttle.js';
import type { Mailer } from '../application/ports/mailer.js';
import type { PasswordHasher } from '../application/ports/password-hasher.js';
import type { TokenService } from '../application/ports/token-service.js';
import type { Repositories, UnitOfWork } from '../application/ports/unit-of-work.js';
import type { UserCache } from '../application/ports/user-cache.js';
import type { UserRateLimiter } from '../application/ports/user-rate-limiter.js';
import { makeUseCases, type UseCases } from '../application/use-cases.js';
import { makePurgeExpiredTrash } from '../application/use-cases/contact-trash.js';
import { makeDeliverPendingEmails } from '../application/use-cases/deliver-pending-emails.js';
import { ServiceUnavailable } from '../domain/errors.js';
import { Unauthenticated } from '../domain/user.errors.js';
import type { Config } from './config.js';
import { type Database, migrateLatest } from './database.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { createLogger } from './logger.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { TrashPurger } from './trash-purger.js';
import { closeRedisClient, connectRedis, createRedisClient, pingRedis, type RedisClient } from './redis.js';
import { startDatabase } from './start-database.js';

/** Adapters a caller (a test, the benchmark) may supply instead of the ones the config selects. */
export interface Overrides {
  /** A database the caller made and closes (see createDatabase); it is migrated here. */
  database?: Database;
  mailer?: Mailer;
  clock?: Clock;
  logger?: Logger;
  /** Closed with the container when it has a `close`. */
  hasher?: PasswordHasher & { close?: () => Promise<void> };
  cache?: UserCache;
  /** Start of every Redis key the app writes (default `contacts:`); tests sharing a Redis use their own. */
  redisKeyPrefix?: string;
}

export interface Container {
  app: Koa;
  knex: Knex;
  repos: Repositories;
  useCases: UseCases;
  logger: Logger;
  rateLimits: RateLimiters;
  /** Delivers the outbox in the background; `drain()` waits until every due email was attempted. */
  dispatcher: OutboxDispatcher;
  /** Work done after the response (forgot-password, resend); `drain()` waits until it is all done. */
  tasks: PQueueBackgroundTasks;
  /** From now on /ready answers 503 SHUTTING_DOWN, so a load balancer stops routing here; the app still serves. */
  beginShutdown(): void;
  /** Finishes the background work, stops the dispatcher (finishing the send in flight), then releases every pool and client the container opened. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };
/** How often each instance looks for expired trash (a look that finds none is one index probe). */
const TRASH_PURGE_INTERVAL_MS = 15 * 60_000;

/**
 * The composition root: which adapter serves each port, decided here from the config and nowhere
 * else, one port after the other. Without REDIS_URL everything shared lives in this process; without
 * DATABASE_URL the database is embedded PGlite; without SMTP_URL emails are .eml files; without
 * CLOUDINARY_URL avatars are files the app serves itself.
 */
export async function buildContainer(config: Config, overrides: Overrides = {}): Promise<Container> {
  const opened = new Opened();
  try {
    return await wire(config, overrides, opened);
  } catch (error) {
    await opened.close();
    throw error;
  }
}

async function wire(config: Config, overrides: Overrides, opened: Opened): Promise<Container> {
  const logger: Logger = overrides.logger ?? createLogger(config.logLevel);
  const clock: Clock = overrides.clock ?? systemClock;

  // The repositories and the unit of work → Knex on PostgreSQL (DATABASE_URL) or embedded PGlite.
  const database = overrides.database ? await migrated(overrides.database) : opened.add(await startDatabase(config), (d) => d.close());

  // Shared by every instance through Redis when REDIS_URL is set, else kept in this process.
  const redis = config.redisUrl ? opened.add(await openRedis(config, logger), (r) => closeRedisClient(r.client)) : null;
  const keyPrefix = overrides.redisKeyPrefix ?? 'contacts:';
  const loginFailures = { max: config.rateLimitLoginFailuresMax, windowSeconds: config.rateLimitAuthWindowS };

  const userLimiter: UserRateLimiter = redis ? new RedisUserRateLimiter(redis.scripts, keyPrefix, clock) : new InMemoryUserRateLimiter(clock);
  const redisCache =
    redis && !overrides.cache
      ? new RedisUserCache(redis.client, { ttlSeconds: config.userCacheTtlS, keyPrefix: `${keyPrefix}auth:`, logger, commandTimeoutMs: config.redisTimeoutMs })
      : null;
  await redisCache?.resync();
  const cache: UserCache = overrides.cache ?? redisCache ?? new InMemoryUserCache(config.userCacheTtlS);
  // On Redis the session check and the per-user limits are one script: one round trip per request.
  const admission: Admission =
    redis && redisCache ? new RedisAdmission(redisCache, userLimiter, { scripts: redis.scripts, keyPrefix, clock }) : new InMemoryAdmission(cache, userLimiter);
  const loginThrottle: LoginThrottle = redis
    ? new RedisLoginThrottle(redis.scripts, clock, loginFailures, keyPrefix)
    : new InMemoryLoginThrottle(clock, loginFailures);
  const rateLimitStore: RateLimitStore = redis ? new RedisRateLimitStore(redis.scripts, keyPrefix) : new InMemoryRateLimitStore();

  const hasher: PasswordHasher = opened.add(overrides.hasher ?? new WorkerBcryptPasswordHasher(config.bcryptRounds), (h) => h.close?.());
  const tokens: TokenService = new JwtTokenService(await resolveJwtSecret(config, logger), config.jwtAccessTtlS, config.jwtRefreshTtlS);

  // Avatars on Cloudinary when CLOUDINARY_URL is set, else files under DATA_DIR/uploads that the app serves at /media/.
  const localAvatars = config.cloudinaryUrl
    ? null
    : new LocalDiskAvatarStorage({ dir: path.resolve(config.dataDir, 'uploads'), publicUrl: config.publicUrl, logger });
  const avatars: AvatarStorage = localAvatars ?? new CloudinaryAvatarStorage({ url: config.cloudinaryUrl, timeoutMs: config.cloudinaryTimeoutMs, logger });
  // Contact photos in the same store as avatars: a directory of their own beside the avatars', served at /media/ too.
  const localPhotos = localAvatars
    ? new LocalDiskContactPhotoStorage({ dir: path.resolve(config.dataDir, 'uploads', 'contact-photos'), publicUrl: config.publicUrl, logger })
    : null;
  const photos: ContactPhotoStorage =
    localPhotos ?? new CloudinaryContactPhotoStorage({ url: config.cloudinaryUrl, timeoutMs: config.cloudinaryTimeoutMs, logger });

  // Emails through SMTP when SMTP_URL is set, else .eml files under DATA_DIR/outbox.
  const smtp =
    config.smtpUrl && !overrides.mailer
      ? opened.add(
          new NodemailerMailer({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: config.smtpTimeoutMs, requireTls: config.smtpRequireTls }),
          (m) => m.close(),
        )
      : null;
  const mailer: Mailer =
    overrides.mailer ??
    smtp ??
    new FileOutboxMailer(path.resolve(config.dataDir, 'outbox'), config.mailFrom, logger, { logLinks: config.nodeEnv === 'development' });

  // Emails are committed to the outbox with the change that causes them; the dispatcher sends them.
  const dispatcher = opened.add(
    new OutboxDispatcher({
      deliver: makeDeliverPendingEmails({
        // The dispatcher only claims and settles messages; enqueueing goes through the app's repositories.
        outbox: new KnexOutboxRepository(database.knex),
        mailer,
        clock,
        logger,
        retry: { maxAttempts: config.outboxMaxAttempts, baseDelayMs: config.outboxRetryBaseMs, maxDelayMs: config.outboxRetryMaxMs },
        // Longer than a send can take, so another instance never picks up a message still being sent.
        leaseMs: Math.max(60_000, 10 * config.smtpTimeoutMs),
      }),
      pollIntervalMs: config.outboxPollIntervalMs,
      logger,
    }),
    (d) => d.stop(),
  );

  // Committed emails wake the dispatcher at once; the poll interval only paces retries.
  const persistence = { readPool: database.readPool, namedStatements: database.namedStatements, hooks: { emailEnqueued: () => dispatcher.nudge() } };
  const repos: Repositories = knexRepositories(database.knex, persistence);
  const uow: UnitOfWork = new KnexUnitOfWork(database.knex, persistence);

  const tasks = opened.add(new PQueueBackgroundTasks(logger), (t) => t.close());
  const cards: ContactCardFormat = new IcalContactCardFormat();
  const images = new SharpImageProcessor();

  const useCases = makeUseCases({
    repos,
    uow,
    hasher,
    tokens,
    cache,
    admission,
    clock,
    avatars,
    cards,
    csvCards: new CsvContactFileReader(),
    images,
    photos,
    loginThrottle,
    tasks,
    logger,
    publicUrl: config.publicUrl,
    verifyTokenTtlSeconds: config.verifyTokenTtlS,
    resetTokenTtlSeconds: config.resetTokenTtlS,
    // An import holds a write connection for its whole transaction: imports may take half the pool at most.
    importsAtOnce: Math.max(1, Math.floor(database.poolMax / 2)),
  });

  const rateLimits = createRateLimiters(rateLimitStore, userLimiter, {
    contacts: { max: config.rateLimitContactsMax, windowSeconds: config.rateLimitContactsWindowS },
    contactCreate: { max: config.rateLimitContactCreateMax, windowSeconds: config.rateLimitContactsWindowS },
    auth: { max: config.rateLimitAuthMax, windowSeconds: config.rateLimitAuthWindowS },
    account: { max: config.rateLimitAccountMax, windowSeconds: config.rateLimitAccountWindowS },
  });
  const healthChecks: HealthCheck[] = [
    { name: 'database', check: async () => void (await database.knex.raw('select 1')) },
    ...(redis ? [{ name: 'redis', check: () => pingRedis(redis.client, config.redisTimeoutMs) }] : []),
  ];
  let shuttingDown = false;
  const app = createApp({
    useCases,
    logger,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    rateLimits,
    healthChecks,
    avatarMaxBytes: config.avatarMaxBytes,
    contactsImportMaxBytes: config.contactsImportMaxBytes,
    contactPhotoMaxBytes: config.contactPhotoMaxBytes,
    ...(localAvatars && localPhotos ? { media: { open: async (name: string) => (await localPhotos.open(name)) ?? localAvatars.open(name) } } : {}),
    translateError: databaseErrors,
    shuttingDown: () => shuttingDown,
    dav: davRoutes({
      book: makeDavBook({ repos, uow, cards, clock, photos: { images, photos, logger } }),
      authenticate: useCases.authenticateDav,
      limit: { name: 'dav', max: config.rateLimitDavMax, windowSeconds: config.rateLimitDavWindowS },
      limiter: userLimiter,
    }),
  });
  // Trash older than CONTACTS_TRASH_DAYS is purged by whichever instance looks first (see TrashPurger).
  const trashPurger = opened.add(
    new TrashPurger({
      purge: makePurgeExpiredTrash({ repos, photos, logger, days: config.contactsTrashDays, now: () => clock.now() }),
      intervalMs: TRASH_PURGE_INTERVAL_MS,
      logger,
    }),
    (p) => p.stop(),
  );
  dispatcher.start();
  trashPurger.start();

  return {
    app,
    knex: database.knex,
    repos,
    useCases,
    logger,
    rateLimits,
    dispatcher,
    tasks,
    beginShutdown() {
      shuttingDown = true;
    },
    // Work already accepted (emails asked for) is finished and its emails queued first, the database closed last.
    close: () => opened.close(),
  };
}

/**
 * What the container opened, closed in the reverse order: what was opened last may use what was
 * opened before it (the dispatcher sends through the mailer, every adapter reaches the database).
 */
class Opened {
  private readonly closers: (() => unknown)[] = [];

  add<T>(resource: T, close: (resource: T) => unknown): T {
    this.closers.push(() => close(resource));
    return resource;
  }

  async close(): Promise<void> {
    for (let close = this.closers.pop(); close; close = this.closers.pop()) await close();
  }
}

/** A database given by a caller (a test's), migrated; its owner closes it. */
async function migrated(database: Database): Promise<Database> {
  await migrateLatest(database.knex);
  return database;
}

/**
 * One Redis client for the whole app. A start while Redis is down waits about a second, then goes
 * on without it: the client reconnects in the background and the cache resynchronises before the
 * first request when Redis answers, otherwise as soon as it does.
 */
async function openRedis(config: Config, logger: Logger): Promise<{ client: RedisClient; scripts: RedisLuaCommands }> {
  const client = createRedisClient({ url: config.redisUrl, logger, timeoutMs: config.redisTimeoutMs });
  await connectRedis(client);
  return { client, scripts: new RedisLuaCommands(client, logger, { timeoutMs: config.redisTimeoutMs }) };
}

/** An unreachable database is ServiceUnavailable (503); a write for an account deleted meanwhile (every foreign key names a user) means its token is dead too. */
const databaseErrors: ErrorTranslator = (error) =>
  isDatabaseUnavailable(error) ? new ServiceUnavailable('database') : isForeignKeyViolation(error) ? new Unauthenticated() : null;
