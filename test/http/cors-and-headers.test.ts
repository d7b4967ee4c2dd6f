import test from 'ava';
import { startTestApp, uniqueEmail, PASSWORD, type TestApp } from '../helpers/test-app.js';

const LISTED = 'https://app.example.com';
const LOCAL_DEV = 'http://localhost:5173';

let app: TestApp;
test.before(async () => {
  app = await startTestApp({ env: { CORS_ORIGINS: `${LISTED}, ${LOCAL_DEV}`, RATE_LIMIT_AUTH_MAX: '2' } });
});
test.after.always(async () => {
  await app?.close();
});

const from = (origin: string | undefined, path = '/health', init: RequestInit = {}) =>
  app.request(path, { ...init, headers: { ...(origin ? { origin } : {}), ...(init.headers as Record<string, string>) } });

const varyList = (res: Response) => (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

test('a listed origin is echoed with Vary: Origin, the rate-limit headers exposed and no credentials', async (t) => {
  for (const origin of [LISTED, LOCAL_DEV]) {
    const res = await from(origin);
    t.is(res.status, 200);
    t.is(res.headers.get('access-control-allow-origin'), origin);
    t.true(varyList(res).includes('origin'));
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',');
    for (const header of ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) t.true(exposed.includes(header), header);
    t.is(res.headers.get('access-control-allow-credentials'), null);
  }
});

test('any other origin gets no Access-Control-Allow-Origin: look-alikes, null, another scheme or port', async (t) => {
  const others = [
    'https://app.example.com.evil.net',
    'https://evilapp.example.com',
    'https://sub.app.example.com',
    'http://app.example.com',
    'https://app.example.com:8443',
    'https://app.example.com/',
    'http://localhost:5174',
    'null',
    '*',
  ];
  for (const origin of others) {
    const res = await from(origin);
    t.is(res.status, 200, origin);
    t.is(res.headers.get('access-control-allow-origin'), null, origin);
    t.is(res.headers.get('access-control-expose-headers'), null, origin);
    t.true(varyList(res).includes('origin'), origin);
  }
  t.is((await from(undefined)).headers.get('access-control-allow-origin'), null);
});

test('a preflight from a listed origin answers 204 with the methods, Authorization and Content-Type, and a max age', async (t) => {
  const res = await from(LISTED, '/api/contacts', {
    method: 'OPTIONS',
    headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  t.is(res.status, 204);
  t.is(res.headers.get('access-control-allow-origin'), LISTED);
  const methods = (res.headers.get('access-control-allow-methods') ?? '').split(',');
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) t.true(methods.includes(method), method);
  const headers = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
  t.true(headers.includes('authorization'));
  t.true(headers.includes('content-type'));
  t.regex(res.headers.get('access-control-max-age') ?? '', /^[1-9]\d*$/);
  t.is(res.headers.get('access-control-allow-credentials'), null);
});

test('a preflight from another origin is not allowed anything', async (t) => {
  const res = await from('https://app.example.com.evil.net', '/api/auth/login', {
    method: 'OPTIONS',
    headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  t.is(res.headers.get('access-control-allow-origin'), null);
  t.is(res.headers.get('access-control-allow-methods'), null);
  t.is(res.headers.get('access-control-allow-headers'), null);
});

test('error responses keep the CORS headers: a 401 and a 429 from a listed origin can be read by the page', async (t) => {
  const unauthorized = await from(LISTED, '/api/users/me');
  t.is(unauthorized.status, 401);
  t.is(unauthorized.headers.get('access-control-allow-origin'), LISTED);
  t.true(varyList(unauthorized).includes('origin'));
  t.is(unauthorized.headers.get('content-type'), 'application/problem+json');

  const login = () =>
    from(LISTED, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
    });
  await login();
  await login();
  const limited = await login();
  t.is(limited.status, 429);
  t.is(limited.headers.get('access-control-allow-origin'), LISTED);
  t.regex(limited.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
  t.truthy(limited.headers.get('retry-after'));
});

test('every response has nosniff and no X-Powered-By or server banner; /api/auth and /api/users are no-store', async (t) => {
  for (const path of ['/health', '/nowhere', '/api/users/me', '/api/auth/verify-email?token=nope']) {
    const res = await from(undefined, path);
    t.is(res.headers.get('x-content-type-options'), 'nosniff', path);
    t.is(res.headers.get('x-powered-by'), null, path);
    t.is(res.headers.get('server'), null, path);
    if (path.startsWith('/api/')) t.is(res.headers.get('cache-control'), 'no-store', path);
  }
});
