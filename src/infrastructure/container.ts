import path from 'node:path';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { AvatarStorage } from '../application/ports/avatar-storage.js';
import type { Clock } from '../application/ports/clock.js';
import type { Logger } from '../application/ports/logger.js';
import type { Mailer } from '../application/ports/mailer.js';
import type { PasswordHasher } from '../application/ports/password-hasher.js';
import type { Repositories } from '../application/ports/unit-of-work.js';
import type { UserCache } from '../application/ports/user-cache.js';
import type { RateLimiters } from '../adapters/http/middleware/rate-limit.js';
import type { UseCases } from '../adapters/http/use-cases.js';
import { JwtTokenService } from '../adapters/security/jwt-token-service.js';
import { WorkerBcryptPasswordHasher } from '../adapters/security/worker-bcrypt-password-hasher.js';
import { CloudinaryAvatarStorage } from '../adapters/storage/cloudinary-avatar-storage.js';
import { LocalDiskAvatarStorage } from '../adapters/storage/local-disk-avatar-storage.js';
import type { Config } from './config.js';
import type { Database } from './database.js';
import { PQueueBackgroundTasks } from '../adapters/tasks/p-queue-background-tasks.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { createLogger } from './logger.js';
import type { OutboxDispatcher } from './outbox-dispatcher.js';
import { wireUseCases } from './use-cases.js';
import { openDatabase } from './wiring/database.js';
import { createHttp } from './wiring/http.js';
import { chooseMailer, createOutbox } from './wiring/outbox.js';
import { openSharedState } from './wiring/redis.js';

export { SchemaBehind } from './wiring/database.js';

/** Adapters a caller (a test, the benchmark) may supply instead of the ones the config selects. */
export interface Overrides {
  /** A database the caller made and closes (see createDatabase). */
  database?: Database;
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
  /** Work done after the response (forgot-password, resend); `drain()` waits until it is all done. */
  tasks: PQueueBackgroundTasks;
  /** From now on /ready answers 503 SHUTTING_DOWN, so a load balancer stops routing here; the app still serves. */
  beginShutdown(): void;
  /** Finishes the background work, stops the dispatcher (finishing the send in flight), then releases every pool and client the container opened. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** Cloudinary when CLOUDINARY_URL is set, else files under DATA_DIR/uploads served at /media/. */
function chooseAvatarStorage(config: Config, logger: Logger): AvatarStorage {
  return config.cloudinaryUrl
    ? new CloudinaryAvatarStorage({ url: config.cloudinaryUrl, timeoutMs: config.cloudinaryTimeoutMs, logger })
    : new LocalDiskAvatarStorage({ dir: path.resolve(config.dataDir, 'uploads'), publicUrl: config.publicUrl, logger });
}

/**
 * The composition root: the one place that decides which adapter serves which port. Each concern
 * (database, Redis, outbox, HTTP) is opened by its module under wiring/; this only chooses and wires.
 */
export async function buildContainer(config: Config, overrides: Overrides = {}): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;

  const database = await openDatabase(config, overrides.database);
  const mailer = overrides.mailer ?? chooseMailer(config, logger);
  const outbox = createOutbox(config, { knex: database.knex, mailer, clock, logger });
  // Committed emails wake the dispatcher at once; the poll interval only paces retries.
  const { repos, uow } = database.persistence({ emailEnqueued: () => outbox.dispatcher.nudge() });
  const shared = await openSharedState(config, {
    logger,
    clock,
    keyPrefix: overrides.redisKeyPrefix ?? 'contacts:',
    ...(overrides.cache ? { cache: overrides.cache } : {}),
  });
  const hasher = overrides.hasher ?? new WorkerBcryptPasswordHasher(config.bcryptRounds);
  const tokens = new JwtTokenService(await resolveJwtSecret(config, logger), config.jwtAccessTtlS, config.jwtRefreshTtlS);
  const avatars = overrides.avatars ?? chooseAvatarStorage(config, logger);

  const tasks = new PQueueBackgroundTasks(logger);

  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hasher.hash('dummy password that matches no account'));

  const useCases = wireUseCases({
    repos,
    uow,
    hasher,
    tokens,
    cache: shared.cache,
    admission: shared.admission,
    clock,
    avatars,
    loginThrottle: shared.loginThrottle,
    tasks,
    dummyHash,
    logger,
    publicUrl: config.publicUrl,
    verifyTokenTtlSeconds: config.verifyTokenTtlS,
    resetTokenTtlSeconds: config.resetTokenTtlS,
  });
  let shuttingDown = false;
  const { app, rateLimits } = createHttp(config, {
    useCases,
    logger,
    rateLimitStore: shared.rateLimitStore,
    userLimiter: shared.userLimiter,
    healthChecks: [database.healthCheck, ...shared.healthChecks],
    translateError: database.translateError,
    avatars,
    shuttingDown: () => shuttingDown,
  });
  outbox.dispatcher.start();

  return {
    app,
    knex: database.knex,
    repos,
    useCases,
    logger,
    rateLimits,
    dispatcher: outbox.dispatcher,
    tasks,
    beginShutdown() {
      shuttingDown = true;
    },
    async close() {
      // Work already accepted (emails asked for) is finished and its emails queued first.
      await tasks.close();
      await outbox.close();
      await hasher.close?.();
      await shared.close();
      await database.close();
    },
  };
}
