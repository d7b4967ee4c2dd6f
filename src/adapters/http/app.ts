import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from '../../application/ports/logger.js';
import { errorHandler } from './middleware/error-handler.js';
import { requestLog } from './middleware/request-log.js';
import { securityHeaders } from './middleware/security-headers.js';
import { authRoutes } from './routes/auth.routes.js';
import { docsRoutes } from './routes/docs.routes.js';
import { operationsRoutes, type HealthCheck } from './routes/operations.routes.js';
import { userRoutes } from './routes/users.routes.js';
import type { UseCases } from './use-cases.js';

/** Rate-limiting middleware for each family of routes; the composition root picks the store. */
export interface RateLimiters {
  /** Every /api/contacts route, per authenticated user (mounted after authentication). */
  contacts: Middleware;
  /** Creating a contact, per authenticated user, stricter. */
  contactCreate: Middleware;
  /** Signup, login, resend-verification, forgot-password: per client IP. */
  auth: Middleware;
}

const passThrough: Middleware = (_ctx, next) => next();
export const NO_RATE_LIMITS: RateLimiters = { contacts: passThrough, contactCreate: passThrough, auth: passThrough };

export interface AppDeps {
  useCases: UseCases;
  logger: Logger;
  /** Honour X-Forwarded-* headers (only behind a trusted proxy). */
  trustProxy: boolean;
  rateLimits?: RateLimiters;
  /** What /ready checks: the database, and Redis when configured. */
  healthChecks?: HealthCheck[];
}

/** The HTTP application, not listening: tests drive `app.callback()`, `main` listens. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy });
  app.silent = true;
  const limits = deps.rateLimits ?? NO_RATE_LIMITS;

  app.use(requestLog(deps.logger));
  app.use(securityHeaders());
  app.use(errorHandler(deps.logger));

  const router = new Router();
  const children = [
    operationsRoutes(deps.healthChecks ?? [], deps.logger),
    docsRoutes(),
    authRoutes(deps.useCases, limits),
    userRoutes(deps.useCases),
  ];
  for (const child of children) router.use(child.routes());
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
