import test, { type ExecutionContext } from 'ava';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { type HotReadsDeps, withHotReads } from '../../src/adapters/http/hot-reads.js';
import { NO_RATE_LIMITS } from '../../src/adapters/http/middleware/rate-limit.js';
import type { Caller } from '../../src/application/use-cases/authenticate.js';
import { ServiceUnavailable } from '../../src/domain/errors.js';
import { HttpServer } from '../../src/infrastructure/http-server.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

// The hot reads (src/adapters/http/hot-reads.ts) answer the plain GETs of /api/users/me,
// /api/contacts and /api/contacts/:id in front of Koa, every outcome included. These tests hold
// them to Koa's answers to the same requests, and check that each request is counted once.

const LIMITS = { RATE_LIMIT_CONTACTS_MAX: '3', RATE_LIMIT_CONTACTS_WINDOW_S: '60', REDIS_TIMEOUT_MS: '5000' };
/** An origin the API does not allow: the CORS middleware answers as without one, but only Koa has it. */
const STRANGER = { Origin: 'https://not-allowed.example' };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface CountingServer {
  url: string;
  /** Requests that reached the Koa app so far. */
  koaRequests(): number;
  get(path: string, token: string, headers?: Record<string, string>): Promise<Response>;
}

/** The app's own listener (`app.callback()`) on a server of its own, with a middleware counting what reaches Koa. */
async function countingServer(t: ExecutionContext, app: TestApp): Promise<CountingServer> {
  let koaRequests = 0;
  const koa = app.container.app;
  koa.middleware.unshift(async (_ctx, next) => {
    koaRequests += 1;
    await next();
  });
  const server = createServer(koa.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    koaRequests: () => koaRequests,
    get: (path, token, headers = {}) => fetch(url + path, { headers: { Authorization: `Bearer ${token}`, ...headers } }),
  };
}

/** Headers that differ between two answers to the same request by their nature. */
const VARYING = new Set(['date', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'keep-alive', 'connection']);
const lasting = (res: Response) => Object.fromEntries([...res.headers].filter(([name]) => !VARYING.has(name)));

for (const store of ['memory', 'redis'] as const) {
  const withStore = async (t: ExecutionContext) => {
    if (store === 'redis' && !(await redisAvailable())) return null;
    const app = await startTestApp({ env: { ...LIMITS, RATE_LIMIT_CONTACTS_MAX: '1000', ...(store === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}) } });
    t.teardown(() => app.close());
    return app;
  };

  test(`[${store}] the plain reads are answered before Koa, with Koa's status, headers, body and log line`, async (t) => {
    const app = await withStore(t);
    if (!app) return t.pass('Redis is not running');
    const ann = await signUpAndLogIn(app);
    const server = await countingServer(t, app);
    const created = await app.request('/api/contacts', {
      method: 'POST',
      token: ann.accessToken,
      json: { firstName: 'Zoë', lastName: 'Lee', email: 'zoe@example.com' },
    });
    const { id } = (await created.json()) as { id: string };
    // The first read of a session may miss the cache; from then on it is the hot case.
    await server.get('/api/users/me', ann.accessToken);

    for (const [n, path] of ['/api/users/me', '/api/contacts', '/api/contacts?limit=1&offset=0&q=zo', `/api/contacts/${id}`].entries()) {
      const requestId = `hot-${store}-${n}`;
      const before = server.koaRequests();
      const hot = await server.get(path, ann.accessToken, { 'X-Request-Id': requestId });
      t.is(server.koaRequests(), before, `${path}: answered before Koa`);
      const koa = await server.get(path, ann.accessToken, { 'X-Request-Id': requestId, ...STRANGER });
      t.is(server.koaRequests(), before + 1, `${path}: answered by Koa`);

      t.is(hot.status, 200, path);
      t.is(hot.status, koa.status, path);
      t.deepEqual(lasting(hot), lasting(koa), path);
      t.deepEqual(await hot.json(), await koa.json(), path);
      // (the two X-RateLimit-Remaining differ: each request was counted, and the budget refills meanwhile)
      const lines = app.logger.lines.filter((line) => (line.fields as { requestId?: string }).requestId === requestId);
      t.is(lines.length, 2, `${path}: one access-log line each`);
      const { durationMs: _a, ...hotLine } = lines[0]!.fields as { durationMs: number };
      const { durationMs: _b, ...koaLine } = lines[1]!.fields as { durationMs: number };
      t.deepEqual(hotLine, koaLine, path);
    }
  });

  test(`[${store}] the hot reads answer refusals and failures themselves, as Koa would, and count a request once`, async (t) => {
    if (store === 'redis' && !(await redisAvailable())) return t.pass('Redis is not running');
    const app = await startTestApp({ env: { ...LIMITS, RATE_LIMIT_CONTACTS_MAX: '5', ...(store === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}) } });
    t.teardown(() => app.close());
    const ann = await signUpAndLogIn(app);
    const server = await countingServer(t, app);
    await server.get('/api/users/me', ann.accessToken);

    // Each outcome twice: the hot lane's answer, then Koa's to the same request (an Origin it does not allow).
    let remaining = 5;
    const sameAnswer = async (path: string, token: string, expected: { status: number; code: string; counted: boolean }) => {
      const requestId = `refused-${store}-${expected.code}`;
      const before = server.koaRequests();
      const hot = await server.get(path, token, { 'X-Request-Id': requestId });
      t.is(server.koaRequests(), before, `${path}: answered before Koa`);
      const koa = await server.get(path, token, { 'X-Request-Id': requestId, ...STRANGER });
      t.is(server.koaRequests(), before + 1, `${path}: answered by Koa`);
      for (const res of [hot, koa]) {
        t.is(res.status, expected.status, path);
        t.is(res.headers.get('content-type'), 'application/problem+json', path);
        if (expected.counted) t.is(res.headers.get('x-ratelimit-remaining'), String(Math.max(0, --remaining)), `${path}: counted once`);
        else t.is(res.headers.get('x-ratelimit-remaining'), null, `${path}: not counted`);
      }
      const without = (res: Response) => {
        const { 'retry-after': retryAfter, ...rest } = lasting(res);
        if (expected.status === 429) t.true(Number(retryAfter) >= 1);
        return rest;
      };
      t.deepEqual(without(hot), without(koa), path);
      const [hotBody, koaBody] = [await hot.json(), await koa.json()];
      t.like(hotBody, { status: expected.status, code: expected.code });
      t.deepEqual(hotBody, koaBody, path);
      const lines = app.logger.lines.filter((line) => (line.fields as { requestId?: string }).requestId === requestId);
      t.is(lines.length, 2, `${path}: one access-log line each`);
      const { durationMs: _a, ...hotLine } = lines[0]!.fields as { durationMs: number };
      const { durationMs: _b, ...koaLine } = lines[1]!.fields as { durationMs: number };
      t.deepEqual(hotLine, koaLine, path);
    };

    await sameAnswer(`/api/contacts/${UNKNOWN_ID}`, ann.accessToken, { status: 404, code: 'NOT_FOUND', counted: true });
    await sameAnswer('/api/contacts?limit=0', ann.accessToken, { status: 422, code: 'VALIDATION_FAILED', counted: true });
    const last = await server.get('/api/contacts', ann.accessToken);
    t.is(last.status, 200);
    t.is(last.headers.get('x-ratelimit-remaining'), String(--remaining));
    await sameAnswer('/api/contacts', ann.accessToken, { status: 429, code: 'RATE_LIMITED', counted: true });
    // A refused token spends nothing; /me has no limit.
    await sameAnswer('/api/users/me', `${ann.accessToken.slice(0, -2)}xx`, { status: 401, code: 'UNAUTHENTICATED', counted: false });
    const forged = await server.get('/api/users/me', `${ann.accessToken.slice(0, -2)}xx`);
    t.is(forged.headers.get('www-authenticate'), 'Bearer');

    // HEAD and a conditional read are Koa's from the start.
    const before = server.koaRequests();
    const head = await fetch(`${server.url}/api/users/me`, { method: 'HEAD', headers: { Authorization: `Bearer ${ann.accessToken}` } });
    t.is(head.status, 200);
    const conditional = await server.get(`/api/contacts/${UNKNOWN_ID}`, ann.accessToken, { 'If-None-Match': '"1"' });
    t.is(conditional.status, 429);
    t.is(server.koaRequests(), before + 2);
    const me = await server.get('/api/users/me', ann.accessToken);
    t.like(await me.json(), { email: ann.email });
    t.is(server.koaRequests(), before + 2);
  });
}

/** withHotReads alone, its Koa a listener that must not be reached. */
async function laneOnly(t: ExecutionContext, deps: Omit<HotReadsDeps, 'limits' | 'logger'>, logger = new CapturingLogger()) {
  const listener = withHotReads((_req, res) => res.writeHead(599).end('Koa answered'), { limits: NO_RATE_LIMITS, logger, ...deps });
  const server = new HttpServer(listener);
  const { port } = await server.listen(0, '127.0.0.1');
  t.teardown(() => server.drain(Date.now()));
  return `http://127.0.0.1:${port}`;
}

const ADA = { id: 'u1', username: 'ada', email: 'ada@example.com', emailVerified: true, avatarUrl: '', createdAt: new Date(0), tokenVersion: 0 };

test('a read that fails is answered by the hot lane with the error table: 503 for a backing service, 500 and a log line for a bug', async (t) => {
  const logger = new CapturingLogger();
  const url = await laneOnly(
    t,
    {
      useCases: {
        authenticate: async (): Promise<Caller> => ({ user: ADA, sessionId: 's1' }),
        getContact: async () => {
          throw new Error('connection terminated');
        },
        listContacts: async () => {
          throw new TypeError('a bug');
        },
      },
      translateError: (error) => ((error as Error).message === 'connection terminated' ? new ServiceUnavailable('database', 2) : null),
    },
    logger,
  );
  const headers = { Authorization: 'Bearer token', 'X-Request-Id': 'failing-1' };
  const down = await fetch(`${url}/api/contacts/${UNKNOWN_ID}`, { headers });
  t.is(down.status, 503);
  t.is(down.headers.get('content-type'), 'application/problem+json');
  t.is(down.headers.get('retry-after'), '2');
  t.is(down.headers.get('cache-control'), 'no-store');
  t.is(down.headers.get('x-request-id'), 'failing-1');
  t.like(await down.json(), { status: 503, code: 'SERVICE_UNAVAILABLE' });
  t.true(logger.lines.some((line) => line.level === 'warn' && line.message === 'backing service unavailable'));

  const bug = await fetch(`${url}/api/contacts`, { headers });
  t.is(bug.status, 500);
  t.deepEqual(await bug.json(), {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    code: 'INTERNAL_ERROR',
    detail: 'Something went wrong on our side.',
  });
  t.true(
    logger.lines.some((line) => line.level === 'error' && line.message === 'unhandled error' && (line.fields as { path?: string }).path === '/api/contacts'),
  );
  t.deepEqual(
    logger.lines.filter((line) => line.message === 'request').map((line) => (line.fields as { status: number }).status),
    [503, 500],
  );
});

test('a hot read answered while the server drains says Connection: close, with its own headers and body', async (t) => {
  let authenticated!: () => void;
  const authenticating = new Promise<void>((resolve) => {
    authenticated = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const listener = withHotReads((_req, res) => res.writeHead(500).end('Koa answered'), {
    useCases: {
      authenticate: async (): Promise<Caller> => {
        authenticated();
        await released;
        return { user: ADA, sessionId: 's1' };
      },
      getContact: async () => t.fail('not asked') as never,
      listContacts: async () => t.fail('not asked') as never,
    },
    limits: NO_RATE_LIMITS,
    logger: new CapturingLogger(),
  });
  const server = new HttpServer(listener);
  const { port } = await server.listen(0, '127.0.0.1');
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  const ended = once(socket, 'close');
  socket.write('GET /api/users/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer token\r\n\r\n');
  await authenticating;
  const drained = server.drain(Date.now() + 5_000);
  // The drain keeps listening until no connection has come for a while; responses begun after the
  // listener has closed are the ones that say Connection: close.
  await listenerClosed(port);
  release();
  await ended;
  await drained;
  const [head = '', body = ''] = received.split('\r\n\r\n');
  t.regex(head, /^HTTP\/1\.1 200 /);
  t.regex(head, /\r\nconnection: close/i);
  t.regex(head, /\r\nx-content-type-options: nosniff/i);
  t.regex(head, /\r\ncontent-type: application\/json; charset=utf-8/i);
  t.like(JSON.parse(body), { id: 'u1', username: 'ada' });
});

/** Resolves once a new connection to `port` is refused: the server has stopped listening. */
async function listenerClosed(port: number): Promise<void> {
  for (;;) {
    const probe = connect(port, '127.0.0.1');
    const refused = await new Promise<boolean>((resolve) => {
      probe.once('connect', () => resolve(false));
      probe.once('error', () => resolve(true));
    });
    probe.destroy();
    if (refused) return;
    // Longer than the drain's quiet period, which each accepted probe starts again.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
