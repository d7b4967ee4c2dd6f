import Router from '@koa/router';
import type { Logger } from '../../../application/ports/logger.js';
import { withTimeout } from '../../with-timeout.js';
import { requestIdOf } from '../middleware/request-log.js';
import { HttpProblem } from '../problem.js';
import { implement, registerRoutes, route } from '../route.js';
import { Health, Ready } from '../schemas/common.js';

/** A dependency /ready checks; `check` rejects when it does not answer. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface OperationsOptions {
  /** A check that has not answered by then counts as failed, so /ready never hangs. */
  checkTimeoutMs?: number;
  /** True once the process has begun to shut down: /ready then answers 503 without checking anything. */
  shuttingDown?: () => boolean;
}

export const operationsRouteSpecs = {
  health: route({
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness: 200 while the process runs',
    description: 'Checks nothing beyond the process answering; for a liveness probe.',
    tags: ['Operations'],
    auth: 'none',
    responses: { 200: { description: 'Alive.', schema: Health } },
  }),
  ready: route({
    method: 'get',
    path: '/ready',
    operationId: 'ready',
    summary: 'Readiness: the database (and Redis, if configured) answer',
    description: 'Each check has a few seconds to answer; a failed one is named in the 503. From the start of a shutdown on, 503 SHUTTING_DOWN.',
    tags: ['Operations'],
    auth: 'none',
    responses: { 200: { description: 'Every check answered.', schema: Ready } },
    problems: [503],
  }),
};

export function operationsRoutes(checks: HealthCheck[], logger?: Logger, options: OperationsOptions = {}): Router {
  const router = new Router({ sensitive: true });
  const timeoutMs = options.checkTimeoutMs ?? 3000;

  const routes = implement<unknown, typeof operationsRouteSpecs>(operationsRouteSpecs, {
    health: (ctx) => {
      ctx.body = { status: 'ok' };
    },
    ready: async (ctx) => {
      if (options.shuttingDown?.()) throw new HttpProblem(503, 'SHUTTING_DOWN', 'The server is shutting down.');
      const results = await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), timeoutMs);
            return { name, ok: true };
          } catch (error) {
            logger?.warn({ requestId: requestIdOf(ctx), check: name, err: error instanceof Error ? error.message : String(error) }, 'readiness check failed');
            return { name, ok: false };
          }
        }),
      );
      const failed = results.filter((r) => !r.ok).map((r) => r.name);
      if (failed.length > 0) throw new HttpProblem(503, 'NOT_READY', `Not answering: ${failed.join(', ')}.`);
      ctx.body = { status: 'ready', checks: Object.fromEntries(results.map((r) => [r.name, 'ok'])) };
    },
  });
  return registerRoutes(router, routes);
}
