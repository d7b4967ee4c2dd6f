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
 * AsyncLocalStorage installs promise hooks that tax every promise in the process, a measurable
 * share of a contact read's throughput (docs/decisions/request-id-without-async-context.md).
 */
export function requestLog(logger: Logger): Middleware {
  return async function logRequest(ctx, next) {
    const requestId = requestIdFrom(ctx.get('X-Request-Id'));
    ctx.set('X-Request-Id', requestId);
    ctx.state.requestId = requestId;
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      logAccess(logger, { requestId, method: ctx.method, path: ctx.path, status: ctx.status, started });
    }
  };
}

/** The request's id: the caller's X-Request-Id when sane, else a new UUID. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
}

/** The access-log line of one request; `started` is `process.hrtime.bigint()` when it arrived. */
export function logAccess(logger: Logger, request: { requestId: string; method: string; path: string; status: number; started: bigint }): void {
  const durationMs = Math.round(Number(process.hrtime.bigint() - request.started) / 1e5) / 10;
  const { requestId, method, status } = request;
  logger.info({ requestId, method, path: request.path.slice(0, MAX_LOGGED_PATH), status, durationMs }, 'request');
}
