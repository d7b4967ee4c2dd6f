import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../../../application/ports/logger.js';

/** An id a proxy or client may choose: short, printable, nothing that could forge a log line. */
const ACCEPTED_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const MAX_LOGGED_PATH = 512;

/** The id of the request `ctx` serves, for every line the HTTP layer logs about it. */
export function requestIdOf(ctx: Pick<Context, 'state'>): string | undefined {
  return (ctx.state as { requestId?: string }).requestId;
}

/**
 * Gives every request an id (the caller's X-Request-Id when sane, else a new UUID), echoes it in
 * the response and keeps it in `ctx.state` (see requestIdOf), and writes one access-log line when
 * the response is decided. The query string is never logged: it may carry a one-time token.
 *
 * The id travels explicitly rather than in an AsyncLocalStorage: on Node 20 an active
 * AsyncLocalStorage installs promise hooks that tax every promise in the process, which cost
 * 15 % of the throughput of a contact read (docs/decisions/request-id-without-async-context.md).
 */
export function requestLog(logger: Logger): Middleware {
  return async function logRequest(ctx, next) {
    const incoming = ctx.get('X-Request-Id');
    const requestId = ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', requestId);
    ctx.state.requestId = requestId;
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      logger.info({ requestId, method: ctx.method, path: ctx.path.slice(0, MAX_LOGGED_PATH), status: ctx.status, durationMs }, 'request');
    }
  };
}
