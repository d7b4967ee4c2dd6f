import test from 'ava';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Middleware } from 'koa';
import { createApp } from '../../src/adapters/http/app.js';
import type { RateLimiters } from '../../src/adapters/http/middleware/rate-limit.js';
import { CONTACT_VIEW_FIELDS, type ContactView } from '../../src/domain/contact.js';
import { CapturingLogger, FakeClock } from '../fakes/fakes.js';
import { fakeWorld, verifiedUser } from '../fakes/fake-world.js';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, uniqueEmail, type TestApp } from '../helpers/test-app.js';

// Today is 31 December 2026 (UTC) for the whole file: the birthday window crosses the new year,
// and 2027 is a common year.
const clock = new FakeClock(new Date('2026-12-31T12:00:00Z'));

type Json = Record<string, unknown>;
/** A contact as the API answers it: the view, whose instants are already ISO 8601 text. */
type ContactJson = ContactView;
const CONTACT_KEYS = [...CONTACT_VIEW_FIELDS].sort();

function newContact(overrides: Json = {}): Json {
  return { firstName: 'Ann', lastName: 'Lee', email: uniqueEmail('contact'), phone: '+1 (555) 010-0200', birthday: '1990-04-01', ...overrides };
}

async function create(app: TestApp, token: string, body: Json = newContact()): Promise<ContactJson> {
  const res = await app.request('/api/contacts', { method: 'POST', token, json: body });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ContactJson;
}

async function problem(res: Response): Promise<{ status: number; code: string; errors?: { field: string }[] }> {
  if (res.headers.get('content-type') !== 'application/problem+json') throw new Error(`not problem+json: ${res.headers.get('content-type')}`);
  return (await res.json()) as { status: number; code: string; errors?: { field: string }[] };
}

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field).sort();

eachBackend(
  BACKENDS,
  (it) => {
    it('every contacts and labels route answers 401 with WWW-Authenticate without a valid access token', async (t, app) => {
      const { refreshToken } = await signUpAndLogIn(app);
      const id = '00000000-0000-4000-8000-000000000000';
      const routes: [string, string][] = [
        ['GET', '/api/contacts'],
        ['GET', '/api/contacts/birthdays'],
        ['POST', '/api/contacts'],
        ['GET', `/api/contacts/${id}`],
        ['PUT', `/api/contacts/${id}`],
        ['PATCH', `/api/contacts/${id}`],
        ['DELETE', `/api/contacts/${id}`],
        ['GET', '/api/labels'],
        ['PATCH', '/api/labels/Family'],
        ['DELETE', '/api/labels/Family'],
      ];
      for (const [method, path] of routes) {
        for (const token of [undefined, 'garbage', refreshToken]) {
          const res = await app.request(path, {
            method,
            ...(token ? { token } : {}),
            ...(method === 'GET' || method === 'DELETE' ? {} : { json: newContact() }),
          });
          t.is(res.status, 401, `${method} ${path}`);
          t.is(res.headers.get('www-authenticate'), 'Bearer');
          t.like(await problem(res), { code: 'UNAUTHENTICATED' });
        }
      }
    });

    it('POST answers 201 with the contact and its Location; id, userId and owner in the body are ignored', async (t, app) => {
      const me = await signUpAndLogIn(app);
      const other = await signUpAndLogIn(app);
      const body = newContact({ notes: 'Met at the fair', id: 'mine', userId: other.userId, ownerId: other.userId, createdAt: '2000-01-01T00:00:00Z' });
      const res = await app.request('/api/contacts', { method: 'POST', token: me.accessToken, json: body });
      t.is(res.status, 201);
      t.is(res.headers.get('cache-control'), 'no-store');
      const contact = (await res.json()) as ContactJson;
      t.deepEqual(Object.keys(contact).sort(), CONTACT_KEYS);
      t.like(contact, { firstName: 'Ann', lastName: 'Lee', email: body.email, phone: '+1 (555) 010-0200', birthday: '1990-04-01', notes: 'Met at the fair' });
      t.regex(contact.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      t.not(contact.createdAt, '2000-01-01T00:00:00.000Z');
      t.regex(contact.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      t.is(res.headers.get('location'), `/api/contacts/${contact.id}`);

      const row = await app.db.knex('contacts').where('id', contact.id).first();
      t.is(row.userId, me.userId);
      t.is((await app.request(`/api/contacts/${contact.id}`, { token: other.accessToken })).status, 404);
      const fetched = await app.request(`/api/contacts/${contact.id}`, { token: me.accessToken });
      t.is(fetched.status, 200);
      t.deepEqual(await fetched.json(), contact);
    });

    it('unicode names round-trip byte-exact, unnormalised, and can be searched', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const firstName = 'Zoe\u0308 😀'; // decomposed ë, astral emoji
      const lastName = 'Nguyễn-李𠮷';
      const created = await create(app, accessToken, newContact({ firstName, lastName, notes: 'ñ\nü' }));
      const res = await app.request(`/api/contacts/${created.id}`, { token: accessToken });
      const raw = Buffer.from(await res.arrayBuffer());
      t.true(raw.includes(Buffer.from(JSON.stringify(firstName).slice(1, -1), 'utf8')));
      const body = JSON.parse(raw.toString('utf8')) as ContactJson;
      t.deepEqual(Buffer.from(body.firstName), Buffer.from(firstName));
      t.deepEqual(Buffer.from(body.lastName), Buffer.from(lastName));
      t.is(body.notes, 'ñ\nü');
      const found = await app.request(`/api/contacts?q=${encodeURIComponent('李𠮷')}`, { token: accessToken });
      t.deepEqual(
        ((await found.json()) as { items: ContactJson[] }).items.map((c) => c.id),
        [created.id],
      );
    });

    it('invalid fields answer 422 VALIDATION_FAILED naming each one', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const res = await app.request('/api/contacts', {
        method: 'POST',
        token: accessToken,
        json: { firstName: 'x'.repeat(51), lastName: 7, email: 'not-an-email', phone: 'call me', birthday: '2027-01-01', notes: ['no'] },
      });
      t.is(res.status, 422);
      const body = await problem(res);
      t.is(body.code, 'VALIDATION_FAILED');
      t.deepEqual(fieldsOf(body), ['birthday', 'email', 'firstName', 'lastName', 'notes', 'phone']);
      const empty = await problem(await app.request('/api/contacts', { method: 'POST', token: accessToken, json: {} }));
      t.deepEqual(fieldsOf(empty), ['firstName']);
      for (const birthday of ['2023-02-29', '1990-02-30', '31/12/1990', '2026-12-31T00:00:00Z']) {
        const bad = await app.request('/api/contacts', { method: 'POST', token: accessToken, json: newContact({ birthday }) });
        t.is(bad.status, 422, birthday);
      }
      t.is((await app.request('/api/contacts', { method: 'POST', token: accessToken, json: newContact({ birthday: '2026-12-31' }) })).status, 201);
      const list = (await (await app.request('/api/contacts', { token: accessToken })).json()) as { total: number };
      t.is(list.total, 1);
    });

    it("a contact email already in the caller's book, in any case, answers 409 CONTACT_EMAIL_TAKEN; another user may use it", async (t, app) => {
      const me = await signUpAndLogIn(app);
      const other = await signUpAndLogIn(app);
      const email = uniqueEmail('dup');
      const first = await create(app, me.accessToken, newContact({ email }));
      const dup = await app.request('/api/contacts', { method: 'POST', token: me.accessToken, json: newContact({ email: email.toUpperCase() }) });
      t.is(dup.status, 409);
      t.like(await problem(dup), { status: 409, code: 'CONTACT_EMAIL_TAKEN' });
      t.is((await app.request('/api/contacts', { method: 'POST', token: other.accessToken, json: newContact({ email }) })).status, 201);

      const second = await create(app, me.accessToken);
      const patch = await app.request(`/api/contacts/${second.id}`, { method: 'PATCH', token: me.accessToken, json: { email } });
      t.is(patch.status, 409);
      const put = await app.request(`/api/contacts/${second.id}`, { method: 'PUT', token: me.accessToken, json: newContact({ email: ` ${email} ` }) });
      t.like(await problem(put), { code: 'CONTACT_EMAIL_TAKEN' });
      const same = await app.request(`/api/contacts/${first.id}`, { method: 'PATCH', token: me.accessToken, json: { email: email.toUpperCase() } });
      t.is(same.status, 200);
    });

    it('a malformed body answers 400, another content type 415, a body over 1 MB 413, on POST, PUT and PATCH', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken);
      for (const [method, path] of [
        ['POST', '/api/contacts'],
        ['PUT', `/api/contacts/${contact.id}`],
        ['PATCH', `/api/contacts/${contact.id}`],
      ] as const) {
        const malformed = await app.request(path, { method, token: accessToken, headers: { 'content-type': 'application/json' }, body: '{"firstName":' });
        t.is(malformed.status, 400, `${method} malformed`);
        t.like(await problem(malformed), { code: 'MALFORMED_BODY' });
        const array = await app.request(path, { method, token: accessToken, json: [newContact()] });
        t.is(array.status, 400, `${method} array`);
        const text = await app.request(path, { method, token: accessToken, headers: { 'content-type': 'text/plain' }, body: 'Ann Lee' });
        t.is(text.status, 415, `${method} text`);
        t.like(await problem(text), { code: 'UNSUPPORTED_MEDIA_TYPE' });
        const big = await app.request(path, { method, token: accessToken, json: newContact({ notes: 'x'.repeat(1_100_000) }) });
        t.is(big.status, 413, `${method} big`);
        t.like(await problem(big), { code: 'PAYLOAD_TOO_LARGE' });
      }
      const after = await app.request(`/api/contacts/${contact.id}`, { token: accessToken });
      t.deepEqual(await after.json(), contact);
    });

    it("someone else's contact answers 404 on GET, PUT, PATCH and DELETE, and is left unchanged", async (t, app) => {
      const owner = await signUpAndLogIn(app);
      const intruder = await signUpAndLogIn(app);
      const contact = await create(app, owner.accessToken);
      const responses = [
        await app.request(`/api/contacts/${contact.id}`, { token: intruder.accessToken }),
        await app.request(`/api/contacts/${contact.id}`, { method: 'PUT', token: intruder.accessToken, json: newContact() }),
        await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token: intruder.accessToken, json: { firstName: 'Mallory' } }),
        await app.request(`/api/contacts/${contact.id}`, { method: 'DELETE', token: intruder.accessToken }),
      ];
      const missing = await app.request('/api/contacts/00000000-0000-4000-8000-000000000000', { token: intruder.accessToken });
      const missingBody = await problem(missing);
      for (const res of responses) {
        t.is(res.status, 404);
        t.deepEqual(await problem(res), missingBody); // indistinguishable from a contact that does not exist
      }
      t.is(missingBody.code, 'NOT_FOUND');
      const list = (await (await app.request('/api/contacts', { token: intruder.accessToken })).json()) as { total: number };
      t.is(list.total, 0);
      t.deepEqual(await (await app.request(`/api/contacts/${contact.id}`, { token: owner.accessToken })).json(), contact);
    });

    it('a malformed or unknown id answers 404 problem+json on every :id route, never 500', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const ids = [
        'not-a-uuid',
        '123',
        "1'%20OR%20'1'='1",
        '%E2%9C%93',
        'x'.repeat(500),
        '00000000-0000-4000-8000-00000000000g',
        '00000000-0000-4000-8000-000000000000',
      ];
      for (const id of ids) {
        for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
          const json = method === 'PUT' ? newContact() : method === 'PATCH' ? { firstName: 'X' } : undefined;
          const res = await app.request(`/api/contacts/${id}`, { method, token: accessToken, ...(json ? { json } : {}) });
          t.is(res.status, 404, `${method} ${id}`);
          t.like(await problem(res), { code: 'NOT_FOUND' });
        }
      }
      t.false(app.logger.lines.some((l) => l.level === 'error'));
    });

    it('PUT replaces the whole contact (optional fields left out become null) and answers 200; a missing first name is 422', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken, newContact({ notes: 'old notes' }));
      const replacement = newContact({ firstName: 'Bea', lastName: 'Park', phone: '12345', birthday: '1970-01-01', id: 'other', createdAt: 'x' });
      const res = await app.request(`/api/contacts/${contact.id}`, { method: 'PUT', token: accessToken, json: replacement });
      t.is(res.status, 200);
      const body = (await res.json()) as ContactJson;
      t.like(body, {
        id: contact.id,
        firstName: 'Bea',
        lastName: 'Park',
        email: replacement.email,
        phone: '12345',
        birthday: '1970-01-01',
        notes: null,
        createdAt: contact.createdAt,
      });
      t.true(body.updatedAt >= contact.updatedAt);
      const partial = await app.request(`/api/contacts/${contact.id}`, { method: 'PUT', token: accessToken, json: { lastName: 'Only' } });
      t.is(partial.status, 422);
      t.deepEqual(fieldsOf(await problem(partial)), ['firstName']);
      t.deepEqual(await (await app.request(`/api/contacts/${contact.id}`, { token: accessToken })).json(), body);
      const bare = await app.request(`/api/contacts/${contact.id}`, { method: 'PUT', token: accessToken, json: { firstName: 'Only' } });
      t.is(bare.status, 200);
      t.like(await bare.json(), { firstName: 'Only', lastName: '', email: null, phone: null, birthday: null, notes: null });
    });

    it('PATCH changes only the given fields and answers 200; clearing a required field is 422', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken, newContact({ notes: 'keep' }));
      const res = await app.request(`/api/contacts/${contact.id}`, {
        method: 'PATCH',
        token: accessToken,
        json: { lastName: 'Park', id: 'other', userId: 'x' },
      });
      t.is(res.status, 200);
      const body = (await res.json()) as ContactJson;
      t.deepEqual({ ...body, updatedAt: contact.updatedAt }, { ...contact, lastName: 'Park', etag: '"2"' });
      const cleared = await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token: accessToken, json: { notes: null } });
      t.like(await cleared.json(), { notes: null, lastName: 'Park' });
      const bad = await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token: accessToken, json: { firstName: null, phone: 'abc' } });
      t.is(bad.status, 422);
      t.deepEqual(fieldsOf(await problem(bad)), ['firstName', 'phone']);
      const nameless = await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token: accessToken, json: { firstName: null } });
      t.is(nameless.status, 422);
      t.deepEqual(fieldsOf(await problem(nameless)), ['firstName']);
      const empty = await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token: accessToken });
      t.is(empty.status, 200);
      t.like(await empty.json(), { id: contact.id, lastName: 'Park' });
    });

    it('DELETE answers 204 with no body; the contact goes to the trash and a second DELETE is 404', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken);
      const res = await app.request(`/api/contacts/${contact.id}`, { method: 'DELETE', token: accessToken });
      t.is(res.status, 204);
      t.is(await res.text(), '');
      t.is((await app.request(`/api/contacts/${contact.id}`, { token: accessToken })).status, 404);
      t.is((await app.request(`/api/contacts/${contact.id}`, { method: 'DELETE', token: accessToken })).status, 404);
      // The row stays, marked as trashed (see test/http/contacts-trash.test.ts).
      t.truthy((await app.db.knex('contacts').where('id', contact.id).first())?.deletedAt);
    });

    it('the list pages through the caller contacts in one stable order, with total, limit and offset', async (t, app) => {
      const me = await signUpAndLogIn(app);
      const other = await signUpAndLogIn(app);
      const created = [];
      for (let i = 0; i < 23; i++) created.push(await create(app, me.accessToken, newContact({ firstName: `N${i}` })));
      await create(app, other.accessToken);

      const first = await app.request('/api/contacts', { token: me.accessToken });
      t.is(first.status, 200);
      t.is(first.headers.get('cache-control'), 'no-store');
      const page1 = (await first.json()) as { items: ContactJson[]; total: number; limit: number; offset: number };
      t.like(page1, { total: 23, limit: 20, offset: 0 });
      t.is(page1.items.length, 20);
      t.deepEqual(Object.keys(page1.items[0]!).sort(), CONTACT_KEYS);

      const seen: string[] = [];
      for (let offset = 0; offset < 23; offset += 5) {
        const page = (await (await app.request(`/api/contacts?limit=5&offset=${offset}`, { token: me.accessToken })).json()) as {
          items: ContactJson[];
          total: number;
          limit: number;
          offset: number;
        };
        t.like(page, { total: 23, limit: 5, offset });
        seen.push(...page.items.map((c) => c.id));
      }
      t.is(new Set(seen).size, 23);
      t.deepEqual(seen.sort(), created.map((c) => c.id).sort());
      const all = (await (await app.request('/api/contacts?limit=100', { token: me.accessToken })).json()) as { items: ContactJson[] };
      const again = (await (await app.request('/api/contacts?limit=100', { token: me.accessToken })).json()) as { items: ContactJson[] };
      t.deepEqual(
        all.items.map((c) => c.id),
        again.items.map((c) => c.id),
      );
      const beyond = await app.request('/api/contacts?offset=1000', { token: me.accessToken });
      t.like(await beyond.json(), { items: [], total: 23, offset: 1000 });
    });

    it('q matches first name, last name or email case-insensitively; field filters combine; wildcards are literal', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const tag = Math.random().toString(36).slice(2, 8);
      const a = await create(app, accessToken, newContact({ firstName: 'Joanna', lastName: 'Smith' }));
      const b = await create(app, accessToken, newContact({ firstName: 'Bob', lastName: 'Hanna' }));
      const c = await create(app, accessToken, newContact({ firstName: 'Carl', email: `ANNex.${tag}@example.com` }));
      const d = await create(app, accessToken, newContact({ firstName: 'Dora', lastName: '50%_off\\' }));
      const search = async (query: string) => {
        const res = await app.request(`/api/contacts?${query}`, { token: accessToken });
        t.is(res.status, 200, query);
        return ((await res.json()) as { items: ContactJson[] }).items.map((x) => x.id).sort();
      };
      t.deepEqual(await search('q=ANN'), [a.id, b.id, c.id].sort());
      t.deepEqual(await search('firstName=joa'), [a.id]);
      t.deepEqual(await search('lastName=HANNA&firstName=bob'), [b.id]);
      t.deepEqual(await search(`email=${tag}`), [c.id]);
      t.deepEqual(await search('q=ann&lastName=smith'), [a.id]);
      t.deepEqual(await search(`q=${encodeURIComponent('%')}`), [d.id]);
      t.deepEqual(await search('q=_'), [d.id]);
      t.deepEqual(await search(`q=${encodeURIComponent('\\')}`), [d.id]);
      t.deepEqual(await search('q=zzz'), []);
      t.is((await search('q=')).length, 4);
    });

    it('bad limit, offset or days answer 422 naming the parameter', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      for (const [query, fields] of [
        ['limit=0', ['limit']],
        ['limit=101', ['limit']],
        ['limit=ten', ['limit']],
        ['limit=2.5', ['limit']],
        ['offset=-1', ['offset']],
        ['limit=-5&offset=x', ['limit', 'offset']],
        ['q=a&q=b', ['q']],
      ] as const) {
        const res = await app.request(`/api/contacts?${query}`, { token: accessToken });
        t.is(res.status, 422, query);
        t.deepEqual(fieldsOf(await problem(res)), [...fields], query);
      }
      t.is((await app.request('/api/contacts?limit=100&offset=0', { token: accessToken })).status, 200);
      t.is((await app.request('/api/contacts?limit=1', { token: accessToken })).status, 200);
      for (const days of ['-1', '367', 'week', '1.5']) {
        const res = await app.request(`/api/contacts/birthdays?days=${days}`, { token: accessToken });
        t.is(res.status, 422, days);
        t.deepEqual(fieldsOf(await problem(res)), ['days']);
      }
    });

    it('birthdays cross the new year soonest first; 29 February falls on 28 February in 2027; days 0 to 366', async (t, app) => {
      const me = await signUpAndLogIn(app);
      const other = await signUpAndLogIn(app);
      const dec31 = await create(app, me.accessToken, newContact({ birthday: '1980-12-31' }));
      const jan1 = await create(app, me.accessToken, newContact({ birthday: '1985-01-01' }));
      const jan7 = await create(app, me.accessToken, newContact({ birthday: '1999-01-07' }));
      const jan8 = await create(app, me.accessToken, newContact({ birthday: '1999-01-08' }));
      const leapling = await create(app, me.accessToken, newContact({ birthday: '2000-02-29' }));
      const mar1 = await create(app, me.accessToken, newContact({ birthday: '1970-03-01' }));
      const dec30 = await create(app, me.accessToken, newContact({ birthday: '1990-12-30' }));
      await create(app, other.accessToken, newContact({ birthday: '1985-01-01' }));

      const upcoming = async (query: string) => {
        const res = await app.request(`/api/contacts/birthdays${query}`, { token: me.accessToken });
        t.is(res.status, 200, query);
        const body = (await res.json()) as { items: ContactJson[] };
        t.deepEqual(Object.keys(body), ['items']);
        return body.items.map((c) => c.id);
      };
      t.deepEqual(await upcoming(''), [dec31.id, jan1.id, jan7.id]); // 7 days by default
      t.deepEqual(await upcoming('?days=0'), [dec31.id]);
      t.deepEqual(await upcoming('?days=1'), [dec31.id, jan1.id]);
      t.deepEqual(await upcoming('?days=58'), [dec31.id, jan1.id, jan7.id, jan8.id]); // through 27 February 2027
      t.deepEqual(await upcoming('?days=59'), [dec31.id, jan1.id, jan7.id, jan8.id, leapling.id]); // 28 February 2027
      t.deepEqual(await upcoming('?days=60'), [dec31.id, jan1.id, jan7.id, jan8.id, leapling.id, mar1.id]);
      t.deepEqual(await upcoming('?days=366'), [dec31.id, jan1.id, jan7.id, jan8.id, leapling.id, mar1.id, dec30.id]);
    });
  },
  { clock },
);

test('every contacts and labels route passes the contacts limiter after authentication, and POST also the create limiter', async (t) => {
  const world = fakeWorld();
  const { accessToken } = await verifiedUser(world);
  const calls: string[] = [];
  const recorder =
    (name: string): Middleware =>
    async (ctx, next) => {
      calls.push(`${name}:${ctx.state.caller ? 'authenticated' : 'anonymous'}`);
      await next();
    };
  const limits: RateLimiters = { contacts: recorder('contacts'), contactCreate: recorder('create'), auth: recorder('auth'), account: recorder('account') };
  const server = createServer(createApp({ useCases: world.useCases, logger: new CapturingLogger(), trustProxy: false, rateLimits: limits }).callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = (method: string, path: string, token?: string) =>
    fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: JSON.stringify(newContact({ name: 'Family', labels: ['Family'] })) }),
    });

  const created = (await (await send('POST', '/api/contacts', accessToken)).json()) as ContactJson;
  t.deepEqual(calls.splice(0), ['contacts:authenticated', 'create:authenticated']);
  for (const [method, path] of [
    ['GET', '/api/contacts'],
    ['GET', '/api/contacts/birthdays'],
    ['GET', '/api/labels'],
    ['GET', `/api/contacts/${created.id}`],
    ['PUT', `/api/contacts/${created.id}`],
    ['PATCH', `/api/contacts/${created.id}`],
    ['PATCH', '/api/labels/Family'],
    ['DELETE', '/api/labels/Family'],
    ['DELETE', `/api/contacts/${created.id}`],
  ]) {
    const res = await send(method!, path!, accessToken);
    t.true(res.status < 300, `${method} ${path} answered ${res.status}`);
    t.deepEqual(calls.splice(0), ['contacts:authenticated'], `${method} ${path}`);
  }
  t.is((await send('POST', '/api/contacts')).status, 401);
  t.deepEqual(calls, []);
});
