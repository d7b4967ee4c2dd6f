import path from 'node:path';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { Clock } from '../application/ports/clock.js';
import { ServiceUnavailable } from '../domain/errors.js';
import type { Logger } from '../application/ports/logger.js';
import type { Mailer } from '../application/ports/mailer.js';
import type { PasswordHasher } from '../application/ports/password-hasher.js';
import type { UnitOfWork, Repositories } from '../application/ports/unit-of-work.js';
import type { UserCache } from '../application/ports/user-cache.js';
import { makeAuthenticate } from '../application/use-cases/authenticate.js';
import { makeDeliverPendingEmails } from '../application/use-cases/deliver-pending-emails.js';
import { makeLogIn } from '../application/use-cases/log-in.js';
import { makeLogOut } from '../application/use-cases/log-out.js';
import { makeRefreshSession } from '../application/use-cases/refresh-session.js';
import { makeRegisterUser } from '../application/use-cases/register-user.js';
import { makeResendVerification } from '../application/use-cases/resend-verification.js';
import { makeVerifyEmail } from '../application/use-cases/verify-email.js';
import { InMemoryUserCache } from '../adapters/cache/in-memory-user-cache.js';
import { createApp } from '../adapters/http/app.js';
import type { UseCases } from '../adapters/http/use-cases.js';
import { FileOutboxMailer } from '../adapters/mail/file-outbox-mailer.js';
import { NodemailerMailer } from '../adapters/mail/nodemailer-mailer.js';
import { KnexUnitOfWork, knexRepositories } from '../adapters/persistence/knex-unit-of-work.js';
import { isDatabaseUnavailable } from '../adapters/persistence/pg-errors.js';
import { JwtTokenService } from '../adapters/security/jwt-token-service.js';
import { WorkerBcryptPasswordHasher } from '../adapters/security/worker-bcrypt-password-hasher.js';
import type { Config } from './config.js';
import { createKnex, migrateLatest } from './database.js';
import { createLogger } from './logger.js';
import { OutboxDispatcher } from './outbox-dispatcher.js';

/** Adapters a caller (a test, the benchmark) may supply instead of the ones the config selects. */
export interface Overrides {
  knex?: Knex;
  mailer?: Mailer;
  clock?: Clock;
  logger?: Logger;
  hasher?: PasswordHasher & { close?: () => Promise<void> };
  cache?: UserCache;
}

export interface Container {
  app: Koa;
  knex: Knex;
  repos: Repositories;
  useCases: UseCases;
  logger: Logger;
  /** Delivers the outbox in the background; `drain()` waits until every due email was attempted. */
  dispatcher: OutboxDispatcher;
  /** Stops the dispatcher (finishing the send in flight), then releases every pool and client the container opened. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * Migrates, then opens the app's knex. On PostgreSQL the migrations get a connection of their own
 * without the per-statement bound the app's queries have; PGlite has one connection and no bound.
 */
async function openDatabase(config: Config): Promise<Knex> {
  const options = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  const connecting = { connectMs: config.databaseConnectTimeoutMs, acquireMs: config.databaseAcquireTimeoutMs };
  if (!config.databaseUrl) {
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
  const cache = overrides.cache ?? new InMemoryUserCache(config.userCacheTtlS);
  const mailer =
    overrides.mailer ??
    (config.smtpUrl
      ? new NodemailerMailer({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: config.smtpTimeoutMs })
      : new FileOutboxMailer(path.resolve(config.dataDir, 'outbox'), config.mailFrom, logger));

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

  const emailLinks = { publicUrl: config.publicUrl };
  const useCases: UseCases = {
    registerUser: makeRegisterUser({ uow, hasher, clock, ...emailLinks, verifyTokenTtlSeconds: config.verifyTokenTtlS }),
    verifyEmail: makeVerifyEmail({ uow, cache, clock }),
    resendVerification: makeResendVerification({ uow, clock, ...emailLinks, verifyTokenTtlSeconds: config.verifyTokenTtlS }),
    logIn: makeLogIn({ repos, hasher, tokens, clock, dummyHash }),
    refreshSession: makeRefreshSession({ repos, tokens, cache, clock }),
    logOut: makeLogOut({ repos, tokens, cache, clock }),
    authenticate: makeAuthenticate({ repos, tokens, cache, clock }),
  };

  const healthChecks = [{ name: 'database', check: async () => void (await knex.raw('select 1')) }];
  const translateError = (error: unknown) => (isDatabaseUnavailable(error) ? new ServiceUnavailable('database') : null);
  const app = createApp({ useCases, logger, trustProxy: config.trustProxy, healthChecks, translateError });
  dispatcher.start();

  return {
    app,
    knex,
    repos,
    useCases,
    logger,
    dispatcher,
    async close() {
      await dispatcher.stop();
      if (mailer instanceof NodemailerMailer) mailer.close();
      await hasher.close?.();
      if (!overrides.knex) await knex.destroy();
    },
  };
}
