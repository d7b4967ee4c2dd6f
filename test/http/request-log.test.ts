import test from 'ava';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/adapters/http/app.js';
import type { UseCases } from '../../src/application/use-cases.js';
import { createLogger } from '../../src/infrastructure/logger.js';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

interface LogRecord {
  level: number;
  msg: string;
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  [field: string]: unknown;
}

/** The real pino logger of the app, writing JSON lines to memory instead of stdout. */
function bufferedLogger() {
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  return { logger, text: () => lines.join(''), records: () => lines.map((line) => JSON.parse(line) as LogRecord) };
}

const JWT_SECRET = `log-test-secret-${randomBytes(16).toString('hex')}`;
const log = bufferedLogger();
let app: TestApp;
test.before(async () => {
  // The capturing mailer, not the file outbox: the outbox logs verification links by design.
  app = await startTestApp({ logger: log.logger, env: { JWT_SECRET } });
});
test.after.always(async () => {
  await app?.close();
});

test('a whole signup → verify → login → me → refresh → logout run logs one line per request and no secret', async (t) => {
  const email = uniqueEmail('logs');
  const wrongPassword = 'not-the-right-passphrase-at-all';
  const responses: { res: Response; method: string; path: string }[] = [];
  const call = async (path: string, init: Parameters<TestApp['request']>[1] = {}) => {
    const res = await app.request(path, init);
    responses.push({ res, method: init.method ?? 'GET', path: path.split('?')[0]! });
    return res;
  };

  t.is((await call('/api/auth/signup', { method: 'POST', json: { username: 'Logs', email, password: PASSWORD } })).status, 201);
  const verifyToken = app.mailer.lastToken('verify-email', email);
  t.is((await call(`/api/auth/verify-email?token=${verifyToken}`)).status, 200);
  t.is((await call('/api/auth/login', { method: 'POST', json: { email, password: wrongPassword } })).status, 401);
  const login = await call('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password: PASSWORD }).toString(),
  });
  const first = (await login.json()) as { accessToken: string; refreshToken: string };
  t.is((await call('/api/users/me', { token: first.accessToken })).status, 200);
  t.is((await call(`/api/users/me?access_token=${first.accessToken}`)).status, 401);
  const refreshed = await call('/api/auth/refresh', { method: 'POST', json: { refreshToken: first.refreshToken } });
  const second = (await refreshed.json()) as { accessToken: string; refreshToken: string };
  t.is((await call('/api/auth/logout', { method: 'POST', token: second.accessToken, json: { refreshToken: second.refreshToken } })).status, 204);
  t.is((await call('/api/users/me', { token: second.accessToken })).status, 401);

  const text = log.text();
  const { passwordHash } = await app.db.knex('users').where({ email }).first('password_hash as passwordHash');
  const secrets = {
    password: PASSWORD,
    wrongPassword,
    verifyToken,
    passwordHash,
    jwtSecret: JWT_SECRET,
    ...Object.fromEntries(
      [first.accessToken, first.refreshToken, second.accessToken, second.refreshToken].flatMap((jwt, i) => [
        [`jwt${i}`, jwt],
        [`jwt${i} signature`, jwt.split('.')[2]],
      ]),
    ),
  };
  for (const [name, secret] of Object.entries(secrets)) {
    t.truthy(secret, name);
    t.false(text.includes(secret as string), `the log contains the ${name}`);
  }
  t.notRegex(text, /authorization|bearer/i);

  const access = log.records().filter((record) => record.msg === 'request');
  for (const { res, method, path } of responses) {
    const requestId = res.headers.get('x-request-id');
    t.truthy(requestId);
    const line = access.find((record) => record.requestId === requestId);
    t.like(line, { method, path, status: res.status }, `${method} ${path}`);
    t.is(typeof line?.durationMs, 'number');
  }
});

test('a sane X-Request-Id is echoed and logged; a missing or odd one is replaced by a new UUID', async (t) => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const sane = await app.request('/health', { headers: { 'x-request-id': 'edge-7f3a:42.b_c' } });
  t.is(sane.headers.get('x-request-id'), 'edge-7f3a:42.b_c');
  t.like(
    log.records().find((r) => r.requestId === 'edge-7f3a:42.b_c'),
    { msg: 'request', method: 'GET', path: '/health', status: 200 },
  );

  t.regex((await app.request('/health')).headers.get('x-request-id') ?? '', uuid);
  for (const odd of ['x'.repeat(200), 'a b', '{"level":60}', '../etc', '']) {
    const res = await app.request('/health', { headers: { 'x-request-id': odd } });
    t.regex(res.headers.get('x-request-id') ?? '', uuid, JSON.stringify(odd));
  }
  t.false(log.text().includes('x'.repeat(200)));
});

test('error responses carry the request id too, and not-found paths are logged without their query', async (t) => {
  const res = await app.request('/api/nothing?token=abc123secret', { headers: { 'x-request-id': 'missing-1' } });
  t.is(res.status, 404);
  t.is(res.headers.get('x-request-id'), 'missing-1');
  t.like(
    log.records().find((r) => r.requestId === 'missing-1'),
    { path: '/api/nothing', status: 404 },
  );
  t.false(log.text().includes('abc123secret'));
});

test('an unexpected error is logged with the request id, method and path; the client sees only a generic 500', async (t) => {
  const { logger, records, text } = bufferedLogger();
  const useCases = {
    registerUser: async () => {
      throw new Error('boom: relation "users" is broken');
    },
  } as unknown as UseCases;
  const server = createServer(createApp({ useCases, logger, trustProxy: false }).callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/signup?token=zzz`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sometoken.abc.def' },
      body: JSON.stringify({ username: 'E', email: uniqueEmail(), password: PASSWORD }),
    });
    t.is(res.status, 500);
    t.like(await res.json(), { code: 'INTERNAL_ERROR' });
    const requestId = res.headers.get('x-request-id');
    const error = records().find((r) => r.msg === 'unhandled error');
    t.like(error, { requestId, method: 'POST', path: '/api/auth/signup', level: 50 });
    t.regex(JSON.stringify(error?.err), /boom/);
    t.like(
      records().find((r) => r.msg === 'request'),
      { requestId, status: 500 },
    );
    t.false(text().includes(PASSWORD));
    t.false(text().includes('sometoken'));
    t.false(text().includes('zzz'));
  } finally {
    server.close();
  }
});
