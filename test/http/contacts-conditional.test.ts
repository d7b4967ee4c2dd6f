import test from 'ava';
import type { ContactView } from '../../src/domain/contact.js';
import { BACKENDS, postgresBackend } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

async function create(app: TestApp, token: string): Promise<{ contact: ContactView; etag: string }> {
  const res = await app.request('/api/contacts', { method: 'POST', token, json: { firstName: 'Ann', notes: 'first' } });
  if (res.status !== 201) throw new Error(`create answered ${res.status}`);
  return { contact: (await res.json()) as ContactView, etag: res.headers.get('etag')! };
}

async function problemCode(res: Response): Promise<string> {
  if (res.headers.get('content-type') !== 'application/problem+json') throw new Error(`not problem+json: ${res.headers.get('content-type')}`);
  return ((await res.json()) as { code: string }).code;
}

// The tests below that start an app of their own run serially, before the shared apps' tests: a
// PGlite starting or stopping in this process while another app's requests are in flight was seen
// to reset that app's connections (ECONNRESET) on a loaded machine.
eachBackend(BACKENDS, (it) => {
  it('every contact response carries a strong ETag that changes with every change, even an identical one', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const { contact, etag } = await create(app, token);
    t.regex(etag, /^"[^"]+"$/);
    const got = await app.request(`/api/contacts/${contact.id}`, { token });
    t.is(got.headers.get('etag'), etag);
    const seen = new Set([etag]);
    for (const json of [{ notes: 'second' }, { notes: 'second' }, { notes: 'second' }]) {
      const res = await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token, json });
      t.is(res.status, 200);
      seen.add(res.headers.get('etag')!);
    }
    const put = await app.request(`/api/contacts/${contact.id}`, { method: 'PUT', token, json: { firstName: 'Ann' } });
    seen.add(put.headers.get('etag')!);
    t.is(seen.size, 5);
    t.is((await app.request(`/api/contacts/${contact.id}`, { token })).headers.get('etag'), put.headers.get('etag'));
  });

  it('GET with If-None-Match answers 304 without a body while nothing changed, and 200 once it did', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const { contact, etag } = await create(app, token);
    for (const header of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
      const res = await app.request(`/api/contacts/${contact.id}`, { token, headers: { 'If-None-Match': header } });
      t.is(res.status, 304, header);
      t.is(res.headers.get('etag'), etag);
      t.is(await res.text(), '');
    }
    await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token, json: { notes: 'changed' } });
    const fresh = await app.request(`/api/contacts/${contact.id}`, { token, headers: { 'If-None-Match': etag } });
    t.is(fresh.status, 200);
    t.is(((await fresh.json()) as ContactView).notes, 'changed');
    const other = await signUpAndLogIn(app);
    t.is((await app.request(`/api/contacts/${contact.id}`, { token: other.accessToken, headers: { 'If-None-Match': '*' } })).status, 404);
  });

  it('PUT, PATCH and DELETE with a stale If-Match answer 412 PRECONDITION_FAILED and change nothing; with the current one they go through', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const { contact, etag: stale } = await create(app, token);
    const moved = await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token, json: { notes: 'moved on' }, headers: { 'If-Match': stale } });
    t.is(moved.status, 200);
    const current = moved.headers.get('etag')!;
    const attempts: [string, object | undefined][] = [
      ['PATCH', { notes: 'lost' }],
      ['PUT', { firstName: 'Lost' }],
      ['PATCH', {}],
      ['DELETE', undefined],
    ];
    for (const ifMatch of [stale, `W/${current}`, '"garbage"', 'garbage']) {
      for (const [method, json] of attempts) {
        const res = await app.request(`/api/contacts/${contact.id}`, { method, token, ...(json ? { json } : {}), headers: { 'If-Match': ifMatch } });
        t.is(res.status, 412, `${method} ${ifMatch}`);
        t.is(await problemCode(res), 'PRECONDITION_FAILED');
      }
    }
    const after = await app.request(`/api/contacts/${contact.id}`, { token });
    t.like(await after.json(), { firstName: 'Ann', notes: 'moved on' });
    t.is(after.headers.get('etag'), current);

    const put = await app.request(`/api/contacts/${contact.id}`, {
      method: 'PUT',
      token,
      json: { firstName: 'Bea' },
      headers: { 'If-Match': `"x", ${current}` },
    });
    t.is(put.status, 200);
    t.is((await app.request(`/api/contacts/${contact.id}`, { method: 'DELETE', token, headers: { 'If-Match': '*' } })).status, 204);
    t.is((await app.request(`/api/contacts/${contact.id}`, { method: 'DELETE', token, headers: { 'If-Match': put.headers.get('etag')! } })).status, 404);
  });
});

test.serial('on PostgreSQL, ten parallel PATCHes carrying the same If-Match: exactly one wins, the others get 412', async (t) => {
  if (!(await postgresBackend.available())) return t.pass('PostgreSQL is not running');
  const app = await startTestApp({ backend: postgresBackend });
  t.teardown(() => app.close());
  const { accessToken: token } = await signUpAndLogIn(app);
  for (let round = 0; round < 3; round += 1) {
    const { contact, etag } = await create(app, token);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token, json: { notes: `writer ${i}` }, headers: { 'If-Match': etag } }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    t.deepEqual(statuses, [200, ...Array<number>(9).fill(412)]);
    const winner = responses.find((r) => r.status === 200)!;
    const stored = await app.request(`/api/contacts/${contact.id}`, { token });
    t.is(((await stored.json()) as ContactView).notes, ((await winner.json()) as ContactView).notes);
    t.is(stored.headers.get('etag'), winner.headers.get('etag'));
  }
});

test.serial('CORS: a preflight allows If-Match and If-None-Match, and scripts may read the ETag', async (t) => {
  const app = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example' } });
  t.teardown(() => app.close());
  const preflight = await app.request('/api/contacts/00000000-0000-4000-8000-000000000000', {
    method: 'OPTIONS',
    headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'if-match, content-type' },
  });
  t.is(preflight.status, 204);
  const allowed = preflight.headers.get('access-control-allow-headers')!.toLowerCase();
  t.true(allowed.includes('if-match') && allowed.includes('if-none-match'), allowed);
  const { accessToken: token } = await signUpAndLogIn(app);
  const res = await app.request('/api/contacts', { method: 'POST', token, json: { firstName: 'Ann' }, headers: { Origin: 'https://app.example' } });
  t.true(res.headers.get('access-control-expose-headers')!.toLowerCase().includes('etag'));
});
