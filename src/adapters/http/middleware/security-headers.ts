import type { Middleware } from 'koa';

type Headers = ReadonlyArray<readonly [name: string, value: string]>;

const EVERY_RESPONSE: Headers = [['X-Content-Type-Options', 'nosniff']];
/** The API's answers are the caller's own data: no cache may keep them. */
const API_RESPONSE: Headers = [...EVERY_RESPONSE, ['Cache-Control', 'no-store']];
const NO_STORE_PREFIXES = ['/api/auth', '/api/users', '/api/contacts', '/api/labels'].map((prefix) => ({ prefix, below: `${prefix}/` }));

/** The headers `securityHeaders` gives the response to a request for `path`. */
export function securityHeadersFor(path: string): Headers {
  for (const { prefix, below } of NO_STORE_PREFIXES) if (path === prefix || path.startsWith(below)) return API_RESPONSE;
  return EVERY_RESPONSE;
}

/** Headers every response carries, set before anything runs so that error responses have them too. */
export function securityHeaders(): Middleware {
  return async function setSecurityHeaders(ctx, next) {
    for (const [name, value] of securityHeadersFor(ctx.path)) ctx.set(name, value);
    await next();
  };
}
