import test from 'ava';
import { randomBytes, randomUUID } from 'node:crypto';
import { startReferenceServer, type ReferenceServer } from '../../bench/reference-server.js';
import { ReferenceStore, type ReferenceContact, type ReferenceUser } from '../../bench/reference-store.js';
import pg from 'pg';
import { JwtTokenService } from '../../src/adapters/security/jwt-token-service.js';
import { EMPTY_CONTACT_FIELDS } from '../../src/domain/contact.js';
import { createDatabase, migrateLatest } from '../../src/infrastructure/database.js';
import { postgresAvailable, redisAvailable, TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/databases.js';

// The benchmark's yardstick must do the work it is compared against: accept the API's access
// tokens and nothing else, and answer only the caller's own contacts.

const secret = randomBytes(32).toString('hex');
const tokens = new JwtTokenService(secret, 900, 3600);

function user(): ReferenceUser {
  return {
    id: randomUUID(),
    username: 'ann',
    email: `ann.${randomUUID()}@example.com`,
    emailVerified: true,
    avatarUrl: null,
    createdAt: new Date().toISOString(),
    tokenVersion: 0,
  };
}

function contact(owner: ReferenceUser, n: number): ReferenceContact {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return {
    ...EMPTY_CONTACT_FIELDS,
    id: randomUUID(),
    userId: owner.id,
    version: 1,
    firstName: 'Grace',
    lastName: `Hopper${n}`,
    organization: 'Navy',
    emails: [{ value: `grace${n}@example.com`, label: 'work' }],
    phones: [{ value: '+1 555 0100', label: 'mobile' }],
    labels: ['Pioneers'],
    birthday: '1906-12-09',
    createdAt: at,
    updatedAt: at,
  };
}

/** The contact as the API shows it. */
function shown({ userId: _owner, version, ...c }: ReferenceContact) {
  return { ...c, email: c.emails[0]?.value ?? null, phone: c.phones[0]?.value ?? null, photoUrl: null, etag: `"${version}"` };
}

const ann = user();
const bob = user();
const annSession = randomUUID();
const bobSession = randomUUID();
const annContacts = Array.from({ length: 3 }, (_, i) => contact(ann, i));
const bobContact = contact(bob, 9);
let store: ReferenceStore | undefined;
let server: ReferenceServer | undefined;

test.before(async () => {
  const [postgresUp, redisUp] = await Promise.all([postgresAvailable(), redisAvailable()]);
  if (!postgresUp || !redisUp) return;
  const options = {
    databaseUrl: TEST_DATABASE_URL,
    schema: `test_ref_${randomBytes(6).toString('hex')}`,
    redisUrl: TEST_REDIS_URL,
    redisPrefix: `test:ref:${randomBytes(6).toString('hex')}:`,
  };
  store = await ReferenceStore.open(options);
  await store.putUsers(
    [ann, bob],
    [
      { id: annSession, userId: ann.id },
      { id: bobSession, userId: bob.id },
    ],
  );
  await store.putContacts([...annContacts, bobContact]);
  server = await startReferenceServer({ ...options, jwtSecret: secret });
});

test.after.always(async () => {
  await server?.close();
  await store?.drop();
});

const access = (claims: Partial<{ userId: string; sessionId: string; tokenVersion: number }> = {}) =>
  tokens.issueAccess({ userId: ann.id, sessionId: annSession, tokenVersion: 0, ...claims });

function get(path: string, token?: string) {
  return fetch(server!.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

test('the reference server answers a contact to its owner with the contract fields', async (t) => {
  if (!server) return t.pass('PostgreSQL or Redis is not running');
  const response = await get(`/api/contacts/${annContacts[0]!.id}`, access());
  t.is(response.status, 200);
  t.deepEqual(await response.json(), shown(annContacts[0]!));
  t.is(response.headers.get('etag'), '"1"');
});

test('the reference server lists a page of the caller contacts with their total', async (t) => {
  if (!server) return t.pass('PostgreSQL or Redis is not running');
  const response = await get('/api/contacts?limit=2&offset=0', access());
  t.is(response.status, 200);
  const body = (await response.json()) as { items: Array<{ id: string }>; total: number; limit: number; offset: number };
  t.deepEqual(
    body.items.map((c) => c.id),
    annContacts.slice(0, 2).map((c) => c.id),
  );
  t.like(body, { total: 3, limit: 2, offset: 0 });

  const pastTheEnd = (await (await get('/api/contacts?limit=2&offset=10', access())).json()) as { items: unknown[]; total: number };
  t.deepEqual(pastTheEnd, { items: [], total: 3, limit: 2, offset: 10 });
});

test('the reference server refuses a missing, forged, refresh or revoked token with 401', async (t) => {
  if (!server) return t.pass('PostgreSQL or Redis is not running');
  const forged = new JwtTokenService(`${secret}-other`, 900, 3600).issueAccess({ userId: ann.id, sessionId: annSession, tokenVersion: 0 });
  const refresh = tokens.issueRefresh({ userId: ann.id, sessionId: annSession, jti: randomUUID() });
  const unknownSession = access({ sessionId: randomUUID() });
  const oldVersion = access({ tokenVersion: 1 });
  for (const token of [undefined, 'not-a-jwt', forged, refresh, unknownSession, oldVersion]) {
    const response = await get(`/api/contacts/${annContacts[0]!.id}`, token);
    t.is(response.status, 401, `token ${String(token).slice(0, 20)}`);
    t.is(response.headers.get('www-authenticate'), 'Bearer');
  }
});

test("someone else's contact and a malformed id answer 404", async (t) => {
  if (!server) return t.pass('PostgreSQL or Redis is not running');
  t.is((await get(`/api/contacts/${bobContact.id}`, access())).status, 404);
  t.is((await get('/api/contacts/not-an-id', access())).status, 404);
});

test('the reference server answers GET /api/users/me with the cached user, without its token version', async (t) => {
  if (!server) return t.pass('PostgreSQL or Redis is not running');
  const response = await get('/api/users/me', access());
  t.is(response.status, 200);
  const { tokenVersion: _version, ...expected } = ann;
  t.deepEqual(await response.json(), expected);
});

test("the reference server creates a contact under the book's lock; the same email again (any case) is 409, a bad body 422", async (t) => {
  if (!server) return t.pass('PostgreSQL or Redis is not running');
  // Bob's book: Ann's is counted by the other tests.
  const asBob = access({ userId: bob.id, sessionId: bobSession });
  const post = (body: unknown) =>
    fetch(`${server!.url}/api/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${asBob}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const fields = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: `ada.${randomUUID()}@example.com`,
    phone: '+44 20 7946 0958',
    birthday: '1815-12-10',
    notes: null,
    // The benchmark's bodies send empty optional fields as "".
    jobTitle: '',
  };
  const created = await post(fields);
  t.is(created.status, 201);
  const body = (await created.json()) as Record<string, unknown>;
  t.like(body, { ...fields, emails: [{ value: fields.email, label: 'other' }], organization: '' });
  t.is(created.headers.get('location'), `/api/contacts/${body.id as string}`);
  t.is((await get(`/api/contacts/${body.id as string}`, asBob)).status, 200);
  t.is((await post({ ...fields, email: fields.email.toUpperCase() })).status, 409);
  t.is((await post({ ...fields, email: 42 })).status, 422);
});

test('the reference server counts each user per window like the API: past the limit 429 with Retry-After, another user unaffected', async (t) => {
  if (!store) return t.pass('PostgreSQL or Redis is not running');
  // Users of this test alone: the counts live in Redis, shared with the other tests' server.
  const [carl, dan] = [user(), user()];
  const sessions = [
    { id: randomUUID(), userId: carl.id },
    { id: randomUUID(), userId: dan.id },
  ];
  await store.putUsers([carl, dan], sessions);
  const limitedServer = await startReferenceServer({ ...store.options, jwtSecret: secret, limits: { contactsMax: 2, contactCreateMax: 1, windowSeconds: 60 } });
  try {
    const call = (n = 0) =>
      fetch(`${limitedServer.url}/api/contacts?limit=1`, {
        headers: { authorization: `Bearer ${access({ userId: sessions[n]!.userId, sessionId: sessions[n]!.id })}` },
      });
    const first = await call();
    t.is(first.status, 200);
    t.is(first.headers.get('x-ratelimit-limit'), '2');
    t.is(first.headers.get('x-ratelimit-remaining'), '1');
    t.is((await call()).status, 200);
    const refused = await call();
    // Two fixed windows may meet between the calls: then the count started again.
    if (refused.status === 200) return t.pass('a new window began during the test');
    t.is(refused.status, 429);
    t.regex(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    t.is((await call(1)).status, 200);
  } finally {
    await limitedServer.close();
  }
});

test("the reference server's writes take the book's counter and stamp the contact, as the API's; DELETE moves it to the trash (204, then 404)", async (t) => {
  if (!store || !server) return t.pass('PostgreSQL or Redis is not running');
  const erin = user();
  const session = randomUUID();
  await store.putUsers([erin], [{ id: session, userId: erin.id }]);
  const token = access({ userId: erin.id, sessionId: session });
  const call = (method: string, path: string, body?: unknown) =>
    fetch(server!.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${store.options.schema}` });
  await db.connect();
  t.teardown(() => db.end());
  const counter = async () => Number((await db.query('SELECT last_change FROM contact_books WHERE user_id = $1', [erin.id])).rows[0]?.last_change ?? 0);
  const stamp = async (id: string) =>
    (await db.query('SELECT change_seq, deleted_at IS NOT NULL AS trashed FROM contacts WHERE id = $1', [id])).rows[0] as {
      change_seq: string;
      trashed: boolean;
    };

  const created = await call('POST', '/api/contacts', { firstName: 'Erin', email: `erin.${randomUUID()}@example.com`, phone: '+1 555 0199' });
  t.is(created.status, 201);
  const { id } = (await created.json()) as { id: string };
  t.is(await counter(), 1);
  t.like(await stamp(id), { change_seq: '1', trashed: false });

  const patched = await call('PATCH', `/api/contacts/${id}`, { notes: 'met at the bench' });
  t.is(patched.status, 200);
  t.like(await patched.json(), { id, notes: 'met at the bench', etag: '"2"' });
  t.is(await counter(), 2);
  t.like(await stamp(id), { change_seq: '2', trashed: false });

  const deleted = await call('DELETE', `/api/contacts/${id}`);
  t.is(deleted.status, 204);
  t.is(await deleted.text(), '');
  t.is(await counter(), 3);
  t.like(await stamp(id), { change_seq: '3', trashed: true });
  t.is((await call('GET', `/api/contacts/${id}`)).status, 404);
  t.is((await call('DELETE', `/api/contacts/${id}`)).status, 404);
  t.is((await call('DELETE', `/api/contacts/${annContacts[0]!.id}`)).status, 404, "another book's contact");
  t.is((await call('DELETE', '/api/contacts/not-an-id')).status, 404);
});

test("the reference schema has the API's tables and indexes (its migrations), so a write updates the same indexes", async (t) => {
  if (!store) return t.pass('PostgreSQL or Redis is not running');
  const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  t.teardown(() => db.end());
  const indexes = async (schema: string) =>
    (await db.query('SELECT indexname, replace(indexdef, $1, $2) AS def FROM pg_indexes WHERE schemaname = $3 ORDER BY indexname', [`${schema}.`, '', schema]))
      .rows;
  const api = `test_ref_api_${randomBytes(6).toString('hex')}`;
  const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: ':memory:', schema: api, readPoolMax: 0 });
  try {
    await migrateLatest(database.knex, api);
    const ours = await indexes(store.options.schema);
    t.true(ours.some((i) => i.indexname === 'contacts_user_change'));
    t.deepEqual(ours, await indexes(api));
  } finally {
    await database.knex.raw('DROP SCHEMA ?? CASCADE', [api]);
    await database.close();
  }
});
