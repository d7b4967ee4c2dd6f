import path from 'node:path';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { AvatarStorage } from '../application/ports/avatar-storage.js';
import type { Clock } from '../application/ports/clock.js';
import { ServiceUnavailable } from '../domain/errors.js';
import type { Logger } from '../application/ports/logger.js';
import type { Mailer } from '../application/ports/mailer.js';
import type { PasswordHasher } from '../application/ports/password-hasher.js';
import type { UnitOfWork, Repositories } from '../application/ports/unit-of-work.js';
import type { UserCache } from '../application/ports/user-cache.js';
import { makeDeliverPendingEmails } from '../application/use-cases/deliver-pending-emails.js';
import { InMemoryUserCache } from '../adapters/cache/in-memory-user-cache.js';
import { RedisUserCache, type RedisUserCacheOptions } from '../adapters/cache/redis-user-cache.js';
import { createApp, type RateLimiters } from '../adapters/http/app.js';
import { createRateLimiters } from '../adapters/http/middleware/rate-limit.js';
import type { HealthCheck } from '../adapters/http/routes/operations.routes.js';
import type { UseCases } from '../adapters/http/use-cases.js';
import { FileOutboxMailer } from '../adapters/mail/file-outbox-mailer.js';
import { NodemailerMailer } from '../adapters/mail/nodemailer-mailer.js';
import { KnexUnitOfWork, knexRepositories } from '../adapters/persistence/knex-unit-of-work.js';
import { InMemoryLoginThrottle } from '../adapters/rate-limit/in-memory-login-throttle.js';
import { InMemoryRateLimitStore } from '../adapters/rate-limit/in-memory-rate-limit-store.js';
import { RedisLoginThrottle } from '../adapters/rate-limit/redis-login-throttle.js';
import { RedisLuaCommands } from '../adapters/rate-limit/redis-lua-commands.js';
import { RedisRateLimitStore } from '../adapters/rate-limit/redis-rate-limit-store.js';
import { InMemoryUserRateLimiter } from '../adapters/rate-limit/in-memory-user-rate-limiter.js';
import { RedisUserRateLimiter } from '../adapters/rate-limit/redis-user-rate-limiter.js';
import { isDatabaseUnavailable } from '../adapters/persistence/pg-errors.js';
import { JwtTokenService } from '../adapters/security/jwt-token-service.js';
import { WorkerBcryptPasswordHasher } from '../adapters/security/worker-bcrypt-password-hasher.js';
import { CloudinaryAvatarStorage } from '../adapters/storage/cloudinary-avatar-storage.js';
import { LocalDiskAvatarStorage } from '../adapters/storage/local-disk-avatar-storage.js';
import type { Config } from './config.js';
import { createKnex, migrateLatest, prepareEmbeddedDatabase } from './database.js';
import { createLogger } from './logger.js';
import { closeRedisClient, connectRedis, createRedisClient, pingRedis, type RedisClient } from './redis.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';
import { wireUseCases } from './use-cases.js';

/** Adapters a caller (a test, the benchmark) may supply instead of the ones the config selects. */
export interface Overrides {
  knex?: Knex;
  mailer?: Mailer;
  clock?: Clock;
  logger?: Logger;
  hasher?: PasswordHasher & { close?: () => Promise<void> };
  cache?: UserCache;
  /** Start of every Redis key the app writes (default `contacts:`); tests sharing a Redis use their own. */
  redisKeyPrefix?: string;
  avatars?: AvatarStorage;
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
  /** Stops the dispatcher (finishing the send in flight), then releases every pool and client the container opened. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** Resynchronised before the first request when Redis answers; otherwise as soon as it does. */
async function startRedisUserCache(redis: RedisClient, options: RedisUserCacheOptions): Promise<UserCache> {
  const cache = new RedisUserCache(redis, options);
  await cache.resync();
  return cache;
}

/**
 * Migrates, then opens the app's knex. On PostgreSQL the migrations get a connection of their own
 * without the per-statement bound the app's queries have; PGlite has one connection and no bound.
 */
async function openDatabase(config: Config): Promise<Knex> {
  const options = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  const connecting = { connectMs: config.databaseConnectTimeoutMs, acquireMs: config.databaseAcquireTimeoutMs };
  if (!config.databaseUrl) {
    await prepareEmbeddedDatabase(options);
    const knex = createKnex({ ...options, timeouts: connecting });
    await migrateLatest(knex);
    return knex;
  }
  const migrator = createKnex({ ...options, timeouts: connecting });
  try {
    await migrateLatest(migrator);
  } finally {
    await migrator.destroy();
  }
  return createKnex({ ...options, timeouts: { ...connecting, queryMs: config.databaseQueryTimeoutMs } });
}

/** The composition root: the one place that decides which adapter serves which port. */
export async function buildContainer(config: Config, overrides: Overrides = {}): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  if (overrides.knex) await migrateLatest(overrides.knex);
  const knex = overrides.knex ?? (await openDatabase(config));

  const clock = overrides.clock ?? systemClock;
  // Committed emails wake the dispatcher at once; the poll interval only paces retries.
  const emailHooks = { emailEnqueued: () => dispatcher.nudge() };
  const repos = knexRepositories(knex, emailHooks);
  const uow: UnitOfWork = new KnexUnitOfWork(knex, emailHooks);
  const hasher = overrides.hasher ?? new WorkerBcryptPasswordHasher(config.bcryptRounds);
  const tokens = new JwtTokenService(config.jwtSecret, config.jwtAccessTtlS, config.jwtRefreshTtlS);

  // One Redis client for the whole app. A start while Redis is down waits about a second, then
  // goes on without it: the client reconnects in the background and the cache resynchronises.
  const redis = config.redisUrl ? createRedisClient({ url: config.redisUrl, logger, timeoutMs: config.redisTimeoutMs }) : undefined;
  if (redis) await connectRedis(redis);
  const redisKeyPrefix = overrides.redisKeyPrefix ?? 'contacts:';
  // Counts live in Redis when it is configured (shared by every instance), else in this process.
  const luaCommands = redis ? new RedisLuaCommands(redis, logger, { timeoutMs: config.redisTimeoutMs }) : undefined;
  const cache =
    overrides.cache ??
    (redis && luaCommands
      ? await startRedisUserCache(redis, {
          ttlSeconds: config.userCacheTtlS,
          keyPrefix: `${redisKeyPrefix}auth:`,
          logger,
          commandTimeoutMs: config.redisTimeoutMs,
          // The per-user limits are counted in the same script as the session lookup: one round trip.
          limits: { scripts: luaCommands, keyPrefix: redisKeyPrefix, clock },
        })
      : new InMemoryUserCache(config.userCacheTtlS));
  const mailer =
    overrides.mailer ??
    (config.smtpUrl
      ? new NodemailerMailer({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: config.smtpTimeoutMs })
      : new FileOutboxMailer(path.resolve(config.dataDir, 'outbox'), config.mailFrom, logger));
  const avatars =
    overrides.avatars ??
    (config.cloudinaryUrl
      ? new CloudinaryAvatarStorage({ url: config.cloudinaryUrl, timeoutMs: config.cloudinaryTimeoutMs, logger })
      : new LocalDiskAvatarStorage({ dir: path.resolve(config.dataDir, 'uploads'), publicUrl: config.publicUrl, logger }));

  const deliverPendingEmails = makeDeliverPendingEmails({
    outbox: repos.outbox,
    mailer,
    clock,
    logger,
    retry: { maxAttempts: config.outboxMaxAttempts, baseDelayMs: config.outboxRetryBaseMs, maxDelayMs: config.outboxRetryMaxMs },
    // Longer than a send can take, so another instance never picks up a message still being sent.
    leaseMs: Math.max(60_000, 10 * config.smtpTimeoutMs),
  });
  const dispatcher = new OutboxDispatcher({ deliver: deliverPendingEmails, pollIntervalMs: config.outboxPollIntervalMs, logger });

  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hasher.hash('dummy password that matches no account'));

  const rateLimitStore = luaCommands ? new RedisRateLimitStore(luaCommands, redisKeyPrefix) : new InMemoryRateLimitStore();
  const loginFailures = { max: config.rateLimitLoginFailuresMax, windowSeconds: config.rateLimitAuthWindowS };
  const loginThrottle = luaCommands
    ? new RedisLoginThrottle(luaCommands, clock, loginFailures, redisKeyPrefix)
    : new InMemoryLoginThrottle(clock, loginFailures);
  const userLimiter = luaCommands ? new RedisUserRateLimiter(luaCommands, redisKeyPrefix, clock) : new InMemoryUserRateLimiter(clock);
  const rateLimits = createRateLimiters(rateLimitStore, userLimiter, {
    contacts: { max: config.rateLimitContactsMax, windowSeconds: config.rateLimitContactsWindowS },
    contactCreate: { max: config.rateLimitContactCreateMax, windowSeconds: config.rateLimitContactsWindowS },
    auth: { max: config.rateLimitAuthMax, windowSeconds: config.rateLimitAuthWindowS },
  });

  const useCases = wireUseCases({
    repos,
    uow,
    hasher,
    tokens,
    cache,
    clock,
    avatars,
    loginThrottle,
    dummyHash,
    publicUrl: config.publicUrl,
    verifyTokenTtlSeconds: config.verifyTokenTtlS,
    resetTokenTtlSeconds: config.resetTokenTtlS,
  });

  const healthChecks: HealthCheck[] = [{ name: 'database', check: async () => void (await knex.raw('select 1')) }];
  const translateError = (error: unknown) => (isDatabaseUnavailable(error) ? new ServiceUnavailable('database') : null);
  if (redis) healthChecks.push({ name: 'redis', check: () => pingRedis(redis, config.redisTimeoutMs) });
  const app = createApp({
    useCases,
    logger,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    rateLimits,
    healthChecks,
    avatarMaxBytes: config.avatarMaxBytes,
    ...(avatars instanceof LocalDiskAvatarStorage ? { media: avatars } : {}),
    translateError,
  });
  dispatcher.start();

  return {
    app,
    knex,
    repos,
    useCases,
    logger,
    rateLimits,
    dispatcher,
    async close() {
      await dispatcher.stop();
      if (mailer instanceof NodemailerMailer) mailer.close();
      await hasher.close?.();
      if (redis) await closeRedisClient(redis);
      if (!overrides.knex) await knex.destroy();
    },
  };
}
