import { readFile } from 'node:fs/promises';
import test from 'ava';
import { createContactsClient } from '../../client/contacts-client.js';
import { generateClientTypes, SCHEMA_FILE } from '../../client/generate.js';
import { PASSWORD, startTestApp, type TestApp, uniqueEmail } from '../helpers/test-app.js';

let app: TestApp;
test.before(async () => {
  app = await startTestApp();
});
test.after.always(async () => {
  await app?.close();
});

test('client/schema.d.ts is what the served document generates (npm run client:generate rewrites it)', async (t) => {
  t.is(await readFile(SCHEMA_FILE, 'utf8'), await generateClientTypes());
});

test('the typed client signs up, verifies through the emailed link, logs in, and creates, lists and reads a contact', async (t) => {
  const api = createContactsClient(app.url);
  const email = uniqueEmail('typed');

  const signup = await api.POST('/api/auth/signup', { body: { username: 'Typed Client', email, password: PASSWORD } });
  t.is(signup.response.status, 201);
  t.is(signup.data?.user.email, email);
  t.false(signup.data?.user.emailVerified);

  await app.flushOutbox();
  const sent = app.mailer.last('verify-email', email);
  if (!sent || !('link' in sent)) return t.fail('no verification email was sent');
  const link = new URL(sent.link);
  const verified = await api.GET('/api/auth/verify-email', { params: { query: { token: link.searchParams.get('token')! } } });
  t.is(verified.response.status, 200);
  t.true(verified.data?.user.emailVerified);

  const login = await api.POST('/api/auth/login', { body: { email, password: PASSWORD } });
  t.is(login.response.status, 200);
  t.is(login.data?.tokenType, 'Bearer');

  const anonymous = await api.GET('/api/contacts', {});
  t.is(anonymous.response.status, 401);
  t.is(anonymous.error?.code, 'UNAUTHENTICATED');

  api.useAccessToken(login.data!.accessToken);
  const created = await api.POST('/api/contacts', { body: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', birthday: '--12-10' } });
  t.is(created.response.status, 201);
  const id = created.data!.id;
  t.is(created.response.headers.get('Location'), `/api/contacts/${id}`);

  const invalid = await api.POST('/api/contacts', { body: { firstName: '' } });
  t.is(invalid.response.status, 422);
  t.deepEqual(
    invalid.error?.errors?.map((e) => e.field),
    ['firstName'],
  );

  const page = await api.GET('/api/contacts', { params: { query: { q: 'lovelace', limit: 10 } } });
  t.is(page.response.status, 200);
  t.deepEqual(
    page.data?.items.map((c) => c.id),
    [id],
  );
  t.is(page.data?.total, 1);

  const one = await api.GET('/api/contacts/{id}', { params: { path: { id } } });
  t.is(one.response.status, 200);
  t.like(one.data, { id, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', birthday: '--12-10', phone: null });
  t.is(one.response.headers.get('ETag'), created.response.headers.get('ETag'));

  const missing = await api.GET('/api/contacts/{id}', { params: { path: { id: 'no-such-contact' } } });
  t.is(missing.response.status, 404);
  t.is(missing.error?.status, 404);
});
