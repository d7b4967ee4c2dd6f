import type Koa from 'koa';
import type { AvatarStorage } from '../../application/ports/avatar-storage.js';
import type { UserRateLimiter } from '../../application/ports/user-rate-limiter.js';
import type { Logger } from '../../application/ports/logger.js';
import { createApp } from '../../adapters/http/app.js';
import type { ErrorTranslator } from '../../adapters/http/middleware/error-handler.js';
import { createRateLimiters, type RateLimiters } from '../../adapters/http/middleware/rate-limit.js';
import type { HealthCheck } from '../../adapters/http/routes/operations.routes.js';
import type { UseCases } from '../../adapters/http/use-cases.js';
import type { RateLimitStore } from '../../adapters/rate-limit/rate-limit-store.js';
import { LocalDiskAvatarStorage } from '../../adapters/storage/local-disk-avatar-storage.js';
import type { Config } from '../config.js';

export interface HttpDeps {
  useCases: UseCases;
  logger: Logger;
  rateLimitStore: RateLimitStore;
  userLimiter: UserRateLimiter;
  healthChecks: HealthCheck[];
  translateError: ErrorTranslator;
  avatars: AvatarStorage;
  /** True once the process is shutting down (/ready answers 503 from then on). */
  shuttingDown: () => boolean;
}

/** The Koa app with the configured limits; /media/ is served only when avatars are on local disk. */
export function createHttp(config: Config, deps: HttpDeps): { app: Koa; rateLimits: RateLimiters } {
  const rateLimits = createRateLimiters(deps.rateLimitStore, deps.userLimiter, {
    contacts: { max: config.rateLimitContactsMax, windowSeconds: config.rateLimitContactsWindowS },
    contactCreate: { max: config.rateLimitContactCreateMax, windowSeconds: config.rateLimitContactsWindowS },
    auth: { max: config.rateLimitAuthMax, windowSeconds: config.rateLimitAuthWindowS },
    account: { max: config.rateLimitAccountMax, windowSeconds: config.rateLimitAccountWindowS },
  });
  const app = createApp({
    useCases: deps.useCases,
    logger: deps.logger,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    rateLimits,
    healthChecks: deps.healthChecks,
    avatarMaxBytes: config.avatarMaxBytes,
    contactsImportMaxBytes: config.contactsImportMaxBytes,
    ...(deps.avatars instanceof LocalDiskAvatarStorage ? { media: deps.avatars } : {}),
    translateError: deps.translateError,
    shuttingDown: deps.shuttingDown,
  });
  return { app, rateLimits };
}
