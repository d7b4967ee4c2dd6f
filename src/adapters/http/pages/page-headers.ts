import type { Middleware } from 'koa';

export const ACCOUNT_PREFIX = '/account';

/** Only our own stylesheet and same-origin form posts; no script, no framing, no base rewriting. */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Headers of everything under /account, error responses included. The pages carry one-time tokens
 * in their URL and forms: no referrer may leak them, no cache may keep them, no frame may hold them.
 */
export function pageHeaders(): Middleware {
  return async function setPageHeaders(ctx, next) {
    if (ctx.path === ACCOUNT_PREFIX || ctx.path.startsWith(`${ACCOUNT_PREFIX}/`)) {
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.set('Content-Security-Policy', PAGE_CSP);
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Cache-Control', 'no-store');
    }
    await next();
  };
}
