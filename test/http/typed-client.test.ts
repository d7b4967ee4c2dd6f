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

test('the typed client signs up, verifies through the emailed link, logs in, and creates, lists, reads and changes contacts and labels', async (t) => {
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

  // A rich contact, typed end to end: every field goes in through ContactInput and comes back in Contact.
  const rich = await api.POST('/api/contacts', {
    body: {
      firstName: 'Grace',
      lastName: 'Hopper',
      prefix: 'RAdm.',
      organization: 'US Navy',
      jobTitle: 'Computer scientist',
      emails: [
        { value: 'grace@navy.example', label: 'work' },
        { value: 'grace@home.example', label: 'home' },
      ],
      phones: [{ value: '+1 555 0100 ext. 12', label: 'work' }],
      addresses: [{ label: 'work', poBox: '', extended: '', street: '1 Navy Way', locality: 'Arlington', region: 'VA', postalCode: '22202', country: 'USA' }],
      urls: [{ value: 'https://grace.example/', label: 'home' }],
      birthday: '1906-12-09',
      anniversary: null,
      notes: 'COBOL',
      labels: ['Pioneers', 'Navy'],
    },
  });
  t.is(rich.response.status, 201);
  const richId = rich.data!.id;
  const fetched = await api.GET('/api/contacts/{id}', { params: { path: { id: richId } } });
  t.is(fetched.response.status, 200);
  t.deepEqual(fetched.data, rich.data);
  t.like(fetched.data, {
    email: 'grace@navy.example',
    phone: '+1 555 0100 ext. 12',
    labels: ['Pioneers', 'Navy'],
    addresses: [{ street: '1 Navy Way', locality: 'Arlington' }],
    photoUrl: null,
  });
  const projected = await api.GET('/api/contacts', { params: { query: { label: 'navy', fields: 'labels', sort: 'name' } } });
  t.deepEqual(projected.data?.items, [{ id: richId, labels: ['Pioneers', 'Navy'] }]);
  const patched = await api.PATCH('/api/contacts/{id}', { params: { path: { id: richId } }, body: { email: null, labels: [] } });
  t.is(patched.response.status, 200);
  t.like(patched.data, { email: 'grace@home.example', labels: [] });
  const renamed = await api.PATCH('/api/labels/{name}', { params: { path: { name: 'Pioneers' } }, body: { name: 'Pioneers' } });
  t.is(renamed.response.status, 404);
  const labels = await api.GET('/api/labels', {});
  t.deepEqual(labels.data, { items: [] });

  const missing = await api.GET('/api/contacts/{id}', { params: { path: { id: 'no-such-contact' } } });
  t.is(missing.response.status, 404);
  t.is(missing.error?.status, 404);
});
