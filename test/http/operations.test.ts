import test from 'ava';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/adapters/http/app.js';
import type { HealthCheck } from '../../src/adapters/http/routes/operations.routes.js';
import type { UseCases } from '../../src/application/use-cases.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { startTestApp } from '../helpers/test-app.js';

const answers: HealthCheck = { name: 'database', check: async () => {} };
const refuses: HealthCheck = {
  name: 'redis',
  check: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  },
};
const hangs: HealthCheck = { name: 'database', check: () => new Promise(() => {}) };

/** /ready with the given checks, on a server at port 0; the use-cases are never called. */
async function ready(checks: HealthCheck[]) {
  const logger = new CapturingLogger();
  const app = createApp({ useCases: {} as UseCases, logger, trustProxy: false, healthChecks: checks });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`);
    return { res, body: (await res.json()) as Record<string, unknown>, logger };
  } finally {
    server.close();
  }
}

test('/ready answers 200 listing every check when all answer', async (t) => {
  const { res, body } = await ready([answers, { ...answers, name: 'redis' }]);
  t.is(res.status, 200);
  t.deepEqual(body, { status: 'ready', checks: { database: 'ok', redis: 'ok' } });
});

test('/ready answers 503 problem+json naming the check that failed, and logs why', async (t) => {
  const { res, body, logger } = await ready([answers, refuses]);
  t.is(res.status, 503);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  t.like(body, { status: 503, code: 'NOT_READY', title: 'Service Unavailable' });
  t.regex(body.detail as string, /\bredis\b/);
  t.notRegex(body.detail as string, /database|ECONNREFUSED/);
  const warning = logger.lines.find((line) => line.message === 'readiness check failed');
  t.like(warning?.fields, { check: 'redis', err: 'connect ECONNREFUSED 127.0.0.1:6379' });
});

test('/ready answers 503 instead of hanging when a check never answers', async (t) => {
  const { res, body } = await ready([hangs, refuses]); // a check gets 3 s
  t.is(res.status, 503);
  t.regex(body.detail as string, /database, redis/);
});

test('/health answers 200 even when a readiness check fails', async (t) => {
  const app = createApp({ useCases: {} as UseCases, logger: new CapturingLogger(), trustProxy: false, healthChecks: [refuses] });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health`);
  server.close();
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { status: 'ok' });
});

test('/ready of the whole app answers 503 naming the database once its connection is gone', async (t) => {
  const app = await startTestApp();
  try {
    t.is((await app.request('/ready')).status, 200);
    await app.container.knex.destroy();
    const res = await app.request('/ready');
    t.is(res.status, 503);
    t.like(await res.json(), { code: 'NOT_READY', detail: 'Not answering: database.' });
    t.is((await app.request('/health')).status, 200);
  } finally {
    await app.close();
  }
});
