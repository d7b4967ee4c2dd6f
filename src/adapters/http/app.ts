import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../../application/ports/logger.js';
import { errorHandler } from './middleware/error-handler.js';
import { securityHeaders } from './middleware/security-headers.js';
import { authRoutes } from './routes/auth.routes.js';
import { userRoutes } from './routes/users.routes.js';
import type { UseCases } from './use-cases.js';

export interface AppDeps {
  useCases: UseCases;
  logger: Logger;
  /** Honour X-Forwarded-* headers (only behind a trusted proxy). */
  trustProxy: boolean;
}

/** The HTTP application, not listening: tests drive `app.callback()`, `main` listens. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy });
  app.silent = true;
  app.use(securityHeaders());
  app.use(errorHandler(deps.logger));
  const router = new Router();
  for (const child of [authRoutes(deps.useCases), userRoutes(deps.useCases)]) router.use(child.routes());
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
