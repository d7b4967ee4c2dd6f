import type { Middleware } from 'koa';

const NO_STORE_PREFIXES = ['/api/auth', '/api/users', '/api/contacts'];

/** Headers every response carries, set before anything runs so that error responses have them too. */
export function securityHeaders(): Middleware {
  return async function setSecurityHeaders(ctx, next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (NO_STORE_PREFIXES.some((prefix) => ctx.path === prefix || ctx.path.startsWith(`${prefix}/`))) {
      ctx.set('Cache-Control', 'no-store');
    }
    await next();
  };
}
