import Router from '@koa/router';
import { HttpProblem } from '../problem.js';

/** A dependency /ready checks; `check` rejects when it does not answer. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export function operationsRoutes(checks: HealthCheck[]): Router {
  const router = new Router();

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/ready', async (ctx) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await check();
          return { name, ok: true };
        } catch {
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
