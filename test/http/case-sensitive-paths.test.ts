import test, { type ExecutionContext } from 'ava';
import { PAGE_CSP } from '../../src/adapters/http/pages/page-headers.js';
import { signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let token: string;
let contactId: string;
test.before(async () => {
  app = await startTestApp();
  token = (await signUpAndLogIn(app)).accessToken;
  const created = await app.request('/api/contacts', { method: 'POST', token, json: { firstName: 'Ada', lastName: 'Lovelace' } });
  contactId = ((await created.json()) as { id: string }).id;
});
test.after.always(async () => {
  await app?.close();
});

async function assertNotFound(t: ExecutionContext, res: Response, what: string) {
  t.is(res.status, 404, what);
  t.is(res.headers.get('content-type'), 'application/problem+json', what);
  t.is(res.headers.get('x-content-type-options'), 'nosniff', what);
  const body = (await res.json()) as { status: number; code: string };
  t.is(body.status, 404, what);
  t.is(body.code, 'NOT_FOUND', what);
}

test('another spelling of /api/users/me answers 404 problem+json, not the account; the right one is 200 and no-store', async (t) => {
  for (const path of ['/API/USERS/ME', '/api/Users/me', '/api/users/ME', '/Api/users/me']) {
    await assertNotFound(t, await app.request(path, { token }), path);
    // A cross-origin request skips the hot reads and goes through Koa alone.
    await assertNotFound(t, await app.request(path, { token, headers: { origin: 'https://elsewhere.example' } }), `${path} with an Origin`);
  }
  const right = await app.request('/api/users/me', { token });
  t.is(right.status, 200);
  t.is(right.headers.get('cache-control'), 'no-store');
});

test('another spelling of a contact or the contact list answers 404, through the hot reads or not; the right one is 200', async (t) => {
  const variants = [`/api/CONTACTS/${contactId}`, `/API/contacts/${contactId}`, `/api/Contacts/${contactId}`, '/api/CONTACTS', '/API/CONTACTS?page=1'];
  for (const path of variants) {
    await assertNotFound(t, await app.request(path, { token }), path);
    await assertNotFound(t, await app.request(path, { token, headers: { 'if-none-match': '"x"' } }), `${path}, conditional`);
    await assertNotFound(t, await app.request(path, { method: 'DELETE', token }), `DELETE ${path}`);
  }
  const right = await app.request(`/api/contacts/${contactId}`, { token });
  t.is(right.status, 200);
  t.is(right.headers.get('cache-control'), 'no-store');
  t.is(((await right.json()) as { firstName: string }).firstName, 'Ada');
  t.is((await app.request('/api/contacts', { token })).status, 200);
});

test('another spelling of an account page answers 404 problem+json, not a page that could be framed; the right one has the CSP', async (t) => {
  for (const path of ['/ACCOUNT/FORGOT-PASSWORD', '/Account/forgot-password', '/account/Forgot-Password', '/ACCOUNT/style.css']) {
    const res = await app.request(path);
    t.not(res.headers.get('content-type') ?? '', 'text/html; charset=utf-8', path);
    await assertNotFound(t, res, path);
  }
  const mailsBefore = app.mailer.sent.length;
  const form = new URLSearchParams({ email: 'someone@example.com' });
  const post = await app.request('/Account/forgot-password', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await assertNotFound(t, post, 'POST /Account/forgot-password');
  t.is(app.mailer.sent.length, mailsBefore);

  const right = await app.request('/account/forgot-password');
  t.is(right.status, 200);
  t.is(right.headers.get('content-security-policy'), PAGE_CSP);
  t.is(right.headers.get('x-frame-options'), 'DENY');
});

test('another spelling of an operation or of an auth route answers 404, not 200 or 405', async (t) => {
  for (const path of ['/HEALTH', '/Health', '/READY', '/OPENAPI.JSON', '/Docs']) await assertNotFound(t, await app.request(path), path);
  const login = await app.request('/API/AUTH/LOGIN', { method: 'POST', json: { email: 'someone@example.com', password: 'whatever it is' } });
  await assertNotFound(t, login, 'POST /API/AUTH/LOGIN');
  t.is((await app.request('/health')).status, 200);
  t.is((await app.request('/openapi.json')).status, 200);
});
