import path from 'node:path';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { AvatarStorage } from '../application/ports/avatar-storage.js';
import type { Clock } from '../application/ports/clock.js';
import type { Logger } from '../application/ports/logger.js';
import type { Mailer } from '../application/ports/mailer.js';
import type { PasswordHasher } from '../application/ports/password-hasher.js';
import type { UnitOfWork, Repositories } from '../application/ports/unit-of-work.js';
import type { UserCache } from '../application/ports/user-cache.js';
import { makeAuthenticate } from '../application/use-cases/authenticate.js';
import { makeLogIn } from '../application/use-cases/log-in.js';
import { makeLogOut } from '../application/use-cases/log-out.js';
import { makeRefreshSession } from '../application/use-cases/refresh-session.js';
import { makeRegisterUser } from '../application/use-cases/register-user.js';
import { makeResendVerification } from '../application/use-cases/resend-verification.js';
import { makeUpdateAvatar } from '../application/use-cases/update-avatar.js';
import { makeVerifyEmail } from '../application/use-cases/verify-email.js';
import { InMemoryUserCache } from '../adapters/cache/in-memory-user-cache.js';
import { createApp } from '../adapters/http/app.js';
import type { UseCases } from '../adapters/http/use-cases.js';
import { FileOutboxMailer } from '../adapters/mail/file-outbox-mailer.js';
import { NodemailerMailer } from '../adapters/mail/nodemailer-mailer.js';
import { KnexUnitOfWork, knexRepositories } from '../adapters/persistence/knex-unit-of-work.js';
import { JwtTokenService } from '../adapters/security/jwt-token-service.js';
import { WorkerBcryptPasswordHasher } from '../adapters/security/worker-bcrypt-password-hasher.js';
import { CloudinaryAvatarStorage } from '../adapters/storage/cloudinary-avatar-storage.js';
import { LocalDiskAvatarStorage } from '../adapters/storage/local-disk-avatar-storage.js';
import type { Config } from './config.js';
import { createKnex, migrateLatest } from './database.js';
import { createLogger } from './logger.js';

/** Adapters a caller (a test, the benchmark) may supply instead of the ones the config selects. */
export interface Overrides {
  knex?: Knex;
  mailer?: Mailer;
  clock?: Clock;
  logger?: Logger;
  hasher?: PasswordHasher & { close?: () => Promise<void> };
  cache?: UserCache;
  avatars?: AvatarStorage;
}

export interface Container {
  app: Koa;
  knex: Knex;
  repos: Repositories;
  useCases: UseCases;
  logger: Logger;
  /** Releases every pool and client the container opened. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** The composition root: the one place that decides which adapter serves which port. */
export async function buildContainer(config: Config, overrides: Overrides = {}): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const knex = overrides.knex ?? createKnex({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateLatest(knex);

  const clock = overrides.clock ?? systemClock;
  const repos = knexRepositories(knex);
  const uow: UnitOfWork = new KnexUnitOfWork(knex);
  const hasher = overrides.hasher ?? new WorkerBcryptPasswordHasher(config.bcryptRounds);
  const tokens = new JwtTokenService(config.jwtSecret, config.jwtAccessTtlS, config.jwtRefreshTtlS);
  const cache = overrides.cache ?? new InMemoryUserCache(config.userCacheTtlS);
  const mailer =
    overrides.mailer ??
    (config.smtpUrl
      ? new NodemailerMailer({ url: config.smtpUrl, from: config.mailFrom })
      : new FileOutboxMailer(path.resolve(config.dataDir, 'outbox'), config.mailFrom, logger));
  const avatars =
    overrides.avatars ??
    (config.cloudinaryUrl
      ? new CloudinaryAvatarStorage({ url: config.cloudinaryUrl, timeoutMs: config.cloudinaryTimeoutMs, logger })
      : new LocalDiskAvatarStorage({ dir: path.resolve(config.dataDir, 'uploads'), publicUrl: config.publicUrl, logger }));

  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hasher.hash('dummy password that matches no account'));

  const emailLinks = { publicUrl: config.publicUrl };
  const useCases: UseCases = {
    registerUser: makeRegisterUser({ uow, hasher, mailer, clock, logger, ...emailLinks, verifyTokenTtlSeconds: config.verifyTokenTtlS }),
    verifyEmail: makeVerifyEmail({ uow, cache, clock }),
    resendVerification: makeResendVerification({ uow, mailer, clock, logger, ...emailLinks, verifyTokenTtlSeconds: config.verifyTokenTtlS }),
    logIn: makeLogIn({ repos, hasher, tokens, clock, dummyHash }),
    refreshSession: makeRefreshSession({ repos, tokens, cache, clock }),
    logOut: makeLogOut({ repos, tokens, cache, clock }),
    authenticate: makeAuthenticate({ repos, tokens, cache, clock }),
    updateAvatar: makeUpdateAvatar({ repos, storage: avatars, cache }),
  };

  const healthChecks = [{ name: 'database', check: async () => void (await knex.raw('select 1')) }];
  const app = createApp({
    useCases,
    logger,
    trustProxy: config.trustProxy,
    healthChecks,
    avatarMaxBytes: config.avatarMaxBytes,
    ...(avatars instanceof LocalDiskAvatarStorage ? { media: avatars } : {}),
  });

  return {
    app,
    knex,
    repos,
    useCases,
    logger,
    async close() {
      if (mailer instanceof NodemailerMailer) mailer.close();
      await hasher.close?.();
      if (!overrides.knex) await knex.destroy();
    },
  };
}
