import test from 'ava';
import { randomBytes } from 'node:crypto';
import { createDatabase, migrateLatest } from '../../src/infrastructure/database.js';
import { postgresAvailable, TEST_DATABASE_URL, type Backend } from '../helpers/databases.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { PASSWORD, signUpAndLogIn, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

const TIMEOUTS = { connectMs: 500, acquireMs: 1000, queryMs: 1000 };
/**
 * Worst case for one request: waiting for a connection, then a query and its rollback each given
 * up on (the client waits a second longer than the server-side bound); plus slack for a busy machine.
 */
const BOUND_MS = TIMEOUTS.acquireMs + 2 * (TIMEOUTS.queryMs + 1000) + 2000;

/** PostgreSQL reached through the proxy, in a schema of its own, with short timeouts. */
function behind(proxy: TcpProxy): Backend {
  return {
    name: 'postgres',
    available: postgresAvailable,
    async create() {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      const target = new URL(TEST_DATABASE_URL);
      target.host = `127.0.0.1:${proxy.port}`;
      const database = createDatabase({ databaseUrl: target.toString(), dataDir: '', schema, timeouts: TIMEOUTS });
      await migrateLatest(database.knex, schema);
      return {
        ...database,
        async drop() {
          await proxy.restore();
          await database.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
          await database.close();
        },
      };
    },
  };
}

/** A request that bypasses the harness's outbox flush, timed. */
async function timed(app: TestApp, path: string, init: { method?: string; json?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const started = Date.now();
  const response = await fetch(app.url + path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, type: response.headers.get('content-type'), body, ms: Date.now() - started };
}

/**
 * A contact of `token`'s, read back once by id and in the list, so that the prepared reads' own
 * pool (DATABASE_READ_POOL_MAX) holds connections when the outage begins.
 */
async function contactRead(app: TestApp, token: string): Promise<string> {
  const created = await app.request('/api/contacts', { method: 'POST', token, json: { firstName: 'Ann', lastName: 'Lee', email: uniqueEmail('outage') } });
  const { id } = (await created.json()) as { id: string };
  for (const path of [`/api/contacts/${id}`, '/api/contacts'])
    if ((await timed(app, path, { token })).status !== 200) throw new Error(`${path} did not answer 200`);
  return id;
}

async function withProxiedApp(t: import('ava').ExecutionContext, body: (app: TestApp, proxy: TcpProxy) => Promise<void>) {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port) || 5432);
  await proxy.start();
  const app = await startTestApp({ backend: behind(proxy) });
  try {
    await body(app, proxy);
  } finally {
    await app.close();
    await proxy.close();
  }
}

function assertUnavailable(t: import('ava').ExecutionContext, what: string, result: Awaited<ReturnType<typeof timed>>) {
  t.is(result.status, 503, `${what} answers 503`);
  t.log(`${what}: ${result.status} after ${result.ms} ms`);
  t.is(result.type, 'application/problem+json');
  t.like(result.body, { status: 503, code: 'SERVICE_UNAVAILABLE' }, what);
  t.true(result.ms < BOUND_MS, `${what} answered after ${result.ms} ms (bound ${BOUND_MS} ms)`);
}

test('with PostgreSQL refusing connections, requests answer 503 SERVICE_UNAVAILABLE at once — never 401 — and work again when it is back', async (t) => {
  await withProxiedApp(t, async (app, proxy) => {
    const user = await signUpAndLogIn(app);
    // Another account reads contacts: its user and session are cached from then on, user's are not.
    const reader = await signUpAndLogIn(app);
    const contactId = await contactRead(app, reader.accessToken);
    await proxy.refuse();

    assertUnavailable(t, 'an authenticated request', await timed(app, '/api/users/me', { token: user.accessToken }));
    assertUnavailable(t, 'a contact read', await timed(app, `/api/contacts/${contactId}`, { token: reader.accessToken }));
    assertUnavailable(t, 'the contacts list', await timed(app, '/api/contacts', { token: reader.accessToken }));
    assertUnavailable(t, 'login', await timed(app, '/api/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } }));
    assertUnavailable(
      t,
      'signup',
      await timed(app, '/api/auth/signup', { method: 'POST', json: { username: 'A', email: uniqueEmail('down'), password: PASSWORD } }),
    );
    t.is((await timed(app, '/ready')).status, 503);
    t.is((await timed(app, '/health')).status, 200);

    await proxy.restore();
    t.like(await timed(app, '/api/users/me', { token: user.accessToken }), { status: 200, body: { email: user.email } });
    t.like(await timed(app, `/api/contacts/${contactId}`, { token: reader.accessToken }), { status: 200, body: { id: contactId } });
    t.like(await timed(app, '/api/contacts', { token: reader.accessToken }), { status: 200, body: { total: 1 } });
    t.is((await timed(app, '/api/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })).status, 200);
    const email = uniqueEmail('back');
    t.is((await app.request('/api/auth/signup', { method: 'POST', json: { username: 'A', email, password: PASSWORD } })).status, 201);
    t.is(app.mailer.to(email).length, 1);
    t.is((await timed(app, '/ready')).status, 200);
  });
});

test('with the link to PostgreSQL gone silent, requests answer 503 within the timeouts instead of hanging, and work again when it is back', async (t) => {
  await withProxiedApp(t, async (app, proxy) => {
    const user = await signUpAndLogIn(app);
    const other = await signUpAndLogIn(app);
    // Another account reads contacts: its user and session are cached from then on, the others' are not.
    const reader = await signUpAndLogIn(app);
    const contactId = await contactRead(app, reader.accessToken);
    // Pooled connections now exist, in both pools: the first requests below use one that no longer answers.
    proxy.silence();

    assertUnavailable(t, 'an authenticated request', await timed(app, '/api/users/me', { token: user.accessToken }));
    assertUnavailable(t, 'login', await timed(app, '/api/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } }));
    assertUnavailable(
      t,
      'signup',
      await timed(app, '/api/auth/signup', { method: 'POST', json: { username: 'A', email: uniqueEmail('silent'), password: PASSWORD } }),
    );
    assertUnavailable(t, 'another authenticated request', await timed(app, '/api/users/me', { token: other.accessToken }));
    assertUnavailable(t, 'a contact read', await timed(app, `/api/contacts/${contactId}`, { token: reader.accessToken }));
    assertUnavailable(t, 'the contacts list', await timed(app, '/api/contacts', { token: reader.accessToken }));

    await proxy.restore();
    t.like(await timed(app, `/api/contacts/${contactId}`, { token: reader.accessToken }), { status: 200, body: { id: contactId } });
    t.like(await timed(app, '/api/contacts', { token: reader.accessToken }), { status: 200, body: { total: 1 } });
    t.like(await timed(app, '/api/users/me', { token: user.accessToken }), { status: 200, body: { email: user.email } });
    t.like(await timed(app, '/api/users/me', { token: other.accessToken }), { status: 200, body: { email: other.email } });
    t.is((await timed(app, '/api/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } })).status, 200);
  });
});
