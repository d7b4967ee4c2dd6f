import Router from '@koa/router';
import type { RequestListener } from 'node:http';
import Koa, { type Middleware } from 'koa';
import type { Logger } from '../../application/ports/logger.js';
import { corsPolicy } from './middleware/cors.js';
import { withHotReads, type HotReadsDeps } from './hot-reads.js';
import { openApiDocument } from './openapi.js';
import { HttpProblem } from './problem.js';
import { errorHandler, type ErrorTranslator } from './middleware/error-handler.js';
import { NO_RATE_LIMITS, type RateLimiters } from './middleware/rate-limit.js';
import { requestLog } from './middleware/request-log.js';
import { securityHeaders } from './middleware/security-headers.js';
import { accountRoutes } from './pages/account.routes.js';
import { pageHeaders } from './pages/page-headers.js';
import { routeByPrefix } from './route-by-prefix.js';
import { appPasswordRoutes } from './routes/app-passwords.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { contactMergeRoutes } from './routes/contact-merge.routes.js';
import { trashRoutes } from './routes/trash.routes.js';
import { contactPhotoRoutes, DEFAULT_CONTACT_PHOTO_MAX_BYTES } from './routes/contact-photo.routes.js';
import { contactRoutes } from './routes/contacts.routes.js';
import { labelRoutes } from './routes/labels.routes.js';
import { docsRoutes } from './routes/docs.routes.js';
import { mediaRoutes, type MediaFiles } from './routes/media.routes.js';
import { operationsRoutes, type HealthCheck } from './routes/operations.routes.js';
import { userRoutes } from './routes/users.routes.js';
import type { UseCases } from '../../application/use-cases.js';

export interface AppDeps {
  useCases: UseCases;
  logger: Logger;
  /** Honour X-Forwarded-* headers (only behind a trusted proxy). */
  trustProxy: boolean;
  /** Exact origins browsers may call the API from; none when absent. */
  corsOrigins?: readonly string[];
  rateLimits?: RateLimiters;
  /** What /ready checks: the database, and Redis when configured. */
  healthChecks?: HealthCheck[];
  /** Largest avatar upload in bytes (AVATAR_MAX_BYTES). */
  avatarMaxBytes?: number;
  /** Largest vCard file an import takes, in bytes (CONTACTS_IMPORT_MAX_BYTES). */
  contactsImportMaxBytes?: number;
  /** Largest contact photo upload in bytes (CONTACT_PHOTO_MAX_BYTES). */
  contactPhotoMaxBytes?: number;
  /** Served under /media/ when avatars are kept on local disk. */
  media?: MediaFiles;
  /** True once the process is shutting down (/ready answers 503 from then on). */
  shuttingDown?: () => boolean;
  /** Turns a backing service's failure (database unreachable) into a domain error such as ServiceUnavailable. */
  translateError?: ErrorTranslator;
  /**
   * CardDAV under /dav/ and /.well-known/carddav (the carddav adapter's middleware, which passes
   * every other path on), behind the same log, headers, CORS and error handler as REST.
   */
  dav?: Middleware;
}

const DEFAULT_AVATAR_MAX_BYTES = 2_097_152;

/** Koa, with the hot reads in front of it: whoever asks for `callback()` (main, every HTTP test) gets both. */
class ApiApp extends Koa {
  constructor(
    options: { proxy: boolean; maxIpsCount: number },
    private readonly hotReads: HotReadsDeps,
  ) {
    super(options);
  }

  override callback(): ReturnType<Koa['callback']> {
    const hotReadsOrKoa = withHotReads(super.callback() as RequestListener, this.hotReads);
    return hotReadsOrKoa as unknown as ReturnType<Koa['callback']>;
  }
}

/** The HTTP application, not listening: tests drive `app.callback()`, `main` listens. */
export function createApp(deps: AppDeps): Koa {
  const limits = deps.rateLimits ?? NO_RATE_LIMITS;
  // Behind one trusted proxy, the client is the address that proxy appended: the last in X-Forwarded-For.
  const app = new ApiApp(
    { proxy: deps.trustProxy, maxIpsCount: 1 },
    { useCases: deps.useCases, logger: deps.logger, limits, translateError: deps.translateError },
  );
  app.silent = true;

  app.use(requestLog(deps.logger));
  app.use(securityHeaders());
  // Outside the error handler, so that error responses (401, 429...) carry the CORS headers too.
  app.use(corsPolicy(deps.corsOrigins ?? []));
  app.use(pageHeaders());
  app.use(errorHandler(deps.logger, deps.translateError));
  if (deps.dav) app.use(deps.dav);

  // The routes in families by path prefix, each family its own router (see routeByPrefix).
  const families = [
    contactPhotoRoutes(
      contactRoutes(deps.useCases, limits, {
        importMaxBytes: deps.contactsImportMaxBytes,
        more: [...trashRoutes(deps.useCases), ...contactMergeRoutes(deps.useCases)],
      }),
      deps.useCases,
      limits,
      {
        photoMaxBytes: deps.contactPhotoMaxBytes ?? DEFAULT_CONTACT_PHOTO_MAX_BYTES,
      },
    ),
    labelRoutes(deps.useCases, limits),
    // Before userRoutes: the first family whose prefix matches answers.
    appPasswordRoutes(deps.useCases, limits),
    userRoutes(deps.useCases, limits, { avatarMaxBytes: deps.avatarMaxBytes ?? DEFAULT_AVATAR_MAX_BYTES }),
    authRoutes(deps.useCases, limits),
    accountRoutes(deps.useCases, limits, deps.logger),
    ...(deps.media ? [mediaRoutes(deps.media)] : []),
  ];
  const rest = new Router({ sensitive: true });
  const operations = operationsRoutes(deps.healthChecks ?? [], deps.logger, { shuttingDown: deps.shuttingDown });
  for (const child of [operations, docsRoutes(openApiDocument)]) rest.use(child.routes());
  // A method no route knows (PROPFIND) is refused like a known one the path lacks: a client error, not the server's 501.
  const notImplemented = () => new HttpProblem(405, 'METHOD_NOT_ALLOWED', 'This method is not allowed here.');
  app.use(routeByPrefix(families, rest, { throw: true, notImplemented }));
  return app;
}
