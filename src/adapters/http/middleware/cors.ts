import cors from '@koa/cors';
import type { Middleware } from 'koa';

export const CORS_MAX_AGE_SECONDS = 600;

/** What corsPolicy says of every response, allowed origin or not: the answer depends on `Origin`. */
export const CORS_VARY = ['Vary', 'Origin'] as const;

/**
 * Browsers on the listed origins (exact match: scheme, host and port) may call the API; any other
 * origin, `null` included, gets no Access-Control-Allow-Origin. Tokens travel in the Authorization
 * header, not in cookies, so credentials are never allowed and `*` is never sent.
 */
export function corsPolicy(allowedOrigins: readonly string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : ''),
    credentials: false,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposeHeaders: ['ETag', 'Location', 'Content-Disposition', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: CORS_MAX_AGE_SECONDS,
    keepHeadersOnError: true,
  });
}
