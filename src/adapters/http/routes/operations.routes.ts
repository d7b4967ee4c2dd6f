import Router from '@koa/router';
import type { Logger } from '../../../application/ports/logger.js';
import { withTimeout } from '../../with-timeout.js';
import { requestIdOf } from '../middleware/request-log.js';
import { HttpProblem } from '../problem.js';

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

export function operationsRoutes(checks: HealthCheck[], logger?: Logger, options: OperationsOptions = {}): Router {
  const router = new Router({ sensitive: true });
  const timeoutMs = options.checkTimeoutMs ?? 3000;

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/ready', async (ctx) => {
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
  });

  return router;
}
