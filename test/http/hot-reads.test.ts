import test, { type ExecutionContext } from 'ava';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { withHotReads } from '../../src/adapters/http/hot-reads.js';
import type { Caller } from '../../src/application/use-cases/authenticate.js';
import { HttpServer } from '../../src/infrastructure/http-server.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

// The hot reads (src/adapters/http/hot-reads.ts) answer the plain GETs of /api/users/me,
// /api/contacts and /api/contacts/:id in front of Koa. These tests hold them to Koa's answers,
// and check that everything else still reaches Koa, counted once.

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

  test(`[${store}] what the hot reads do not answer goes to Koa, and a request is counted against the limit once`, async (t) => {
    if (store === 'redis' && !(await redisAvailable())) return t.pass('Redis is not running');
    const app = await startTestApp({ env: { ...LIMITS, ...(store === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}) } });
    t.teardown(() => app.close());
    const ann = await signUpAndLogIn(app);
    const server = await countingServer(t, app);
    await server.get('/api/users/me', ann.accessToken);

    // Authenticated and counted, then an unknown contact and invalid paging: Koa answers, without counting again.
    const unknown = await server.get(`/api/contacts/${UNKNOWN_ID}`, ann.accessToken);
    t.is(unknown.status, 404);
    t.is(unknown.headers.get('content-type'), 'application/problem+json');
    t.is(unknown.headers.get('x-ratelimit-remaining'), '2');
    const invalid = await server.get('/api/contacts?limit=0', ann.accessToken);
    t.is(invalid.status, 422);
    t.is(invalid.headers.get('x-ratelimit-remaining'), '1');
    t.is(server.koaRequests(), 2);
    const last = await server.get('/api/contacts', ann.accessToken);
    t.is(last.status, 200);
    t.is(last.headers.get('x-ratelimit-remaining'), '0');
    t.is(server.koaRequests(), 2, 'the last allowed read is a hot one');
    // Spent: the refusal is Koa's, with its headers.
    const refused = await server.get('/api/contacts', ann.accessToken);
    t.is(refused.status, 429);
    t.true(Number(refused.headers.get('retry-after')) >= 1);
    t.like(await refused.json(), { code: 'RATE_LIMITED' });
    t.is(server.koaRequests(), 3);

    // Refused authentication, HEAD and a conditional read are Koa's too; /me has no limit.
    const forged = await server.get('/api/users/me', `${ann.accessToken.slice(0, -2)}xx`);
    t.is(forged.status, 401);
    t.is(forged.headers.get('www-authenticate'), 'Bearer');
    const head = await fetch(`${server.url}/api/users/me`, { method: 'HEAD', headers: { Authorization: `Bearer ${ann.accessToken}` } });
    t.is(head.status, 200);
    t.is(server.koaRequests(), 5);
    const me = await server.get('/api/users/me', ann.accessToken);
    t.like(await me.json(), { email: ann.email });
    t.is(server.koaRequests(), 5);
  });
}

test('a hot read answered while the server drains says Connection: close, with its own headers and body', async (t) => {
  let authenticated!: () => void;
  const authenticating = new Promise<void>((resolve) => {
    authenticated = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const user = { id: 'u1', username: 'ada', email: 'ada@example.com', emailVerified: true, avatarUrl: '', createdAt: new Date(0), tokenVersion: 0 };
  const listener = withHotReads((_req, res) => res.writeHead(500).end('Koa answered'), {
    useCases: {
      authenticate: async (): Promise<Caller> => {
        authenticated();
        await released;
        return { user, sessionId: 's1' };
      },
      getContact: async () => t.fail('not asked') as never,
      listContacts: async () => t.fail('not asked') as never,
    },
    contactsLimit: null,
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
