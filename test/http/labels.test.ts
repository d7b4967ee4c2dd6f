import type { ContactView } from '../../src/domain/contact.js';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';

type Json = Record<string, unknown>;
type Problem = { status: number; code: string; errors?: { field: string }[] };

async function create(app: TestApp, token: string, body: Json): Promise<ContactView> {
  const res = await app.request('/api/contacts', { method: 'POST', token, json: body });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ContactView;
}

async function problem(res: Response): Promise<Problem> {
  if (res.headers.get('content-type') !== 'application/problem+json') throw new Error(`not problem+json (${res.status})`);
  return (await res.json()) as Problem;
}

const labelsOf = async (app: TestApp, token: string, id: string) =>
  ((await (await app.request(`/api/contacts/${id}`, { token })).json()) as ContactView).labels;

eachBackend(
  BACKENDS,
  (it) => {
    it('GET /api/labels lists the caller’s labels with their counts, by name ignoring case; another user’s are not there', async (t, app) => {
      const me = await signUpAndLogIn(app);
      const other = await signUpAndLogIn(app);
      await create(app, me.accessToken, { firstName: 'A', labels: ['family', 'Work'] });
      await create(app, me.accessToken, { firstName: 'B', labels: ['Family', 'Book club'] });
      await create(app, me.accessToken, { firstName: 'C' });
      await create(app, other.accessToken, { firstName: 'X', labels: ['Secret'] });
      const res = await app.request('/api/labels', { token: me.accessToken });
      t.is(res.status, 200);
      t.is(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as { items: { name: string; count: number }[] };
      t.deepEqual(
        body.items.map((l) => [l.name.toLowerCase(), l.count]),
        [
          ['book club', 1],
          ['family', 2],
          ['work', 1],
        ],
      );
      t.deepEqual(await (await app.request('/api/labels', { token: other.accessToken })).json(), { items: [{ name: 'Secret', count: 1 }] });
      const fresh = await signUpAndLogIn(app);
      t.deepEqual(await (await app.request('/api/labels', { token: fresh.accessToken })).json(), { items: [] });
    });

    it('PATCH /api/labels/:name renames on every contact, merging into an existing label; 404 unknown; 422 invalid name', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const a = await create(app, accessToken, { firstName: 'A', labels: ['Climbers', 'Work'] });
      const b = await create(app, accessToken, { firstName: 'B', labels: ['Climbing', 'climbers'] });
      const c = await create(app, accessToken, { firstName: 'C', labels: ['Climbing'] });
      const rename = (name: string, json: unknown) => app.request(`/api/labels/${encodeURIComponent(name)}`, { method: 'PATCH', token: accessToken, json });
      const res = await rename('CLIMBERS', { name: 'Climbing' });
      t.is(res.status, 200);
      t.deepEqual(await res.json(), { name: 'Climbing', count: 3 });
      t.deepEqual(await labelsOf(app, accessToken, a.id), ['Climbing', 'Work']);
      t.deepEqual(await labelsOf(app, accessToken, b.id), ['Climbing']);
      t.deepEqual(await labelsOf(app, accessToken, c.id), ['Climbing']);

      const unknown = await rename('Nobody', { name: 'Somebody' });
      t.is(unknown.status, 404);
      t.like(await problem(unknown), { code: 'NOT_FOUND' });
      for (const json of [{}, { name: '' }, { name: 'x'.repeat(51) }, { name: 'a\u0000b' }, { name: 7 }]) {
        const bad = await rename('Work', json);
        t.is(bad.status, 422, JSON.stringify(json));
        t.deepEqual(
          (await problem(bad)).errors?.map((e) => e.field),
          ['name'],
        );
      }
      t.deepEqual(await labelsOf(app, accessToken, a.id), ['Climbing', 'Work']);
      // A rename that only changes the case respells the label everywhere.
      const respelled = await rename('work', { name: 'WORK' });
      t.is(respelled.status, 200);
      t.deepEqual(await respelled.json(), { name: 'WORK', count: 1 });
      t.deepEqual(await labelsOf(app, accessToken, a.id), ['Climbing', 'WORK']);
    });

    it('label names in the path are URL-decoded once: spaces, accents, a slash as %2F and a percent sign', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const names = ['Ski Club', 'Café Crew', 'A/B testers', '100% friends'];
      const contact = await create(app, accessToken, { firstName: 'A', labels: names });
      for (const name of names) {
        const res = await app.request(`/api/labels/${encodeURIComponent(name)}`, { method: 'PATCH', token: accessToken, json: { name: `${name} (new)` } });
        t.is(res.status, 200, name);
        t.deepEqual(await res.json(), { name: `${name} (new)`, count: 1 });
      }
      t.deepEqual(
        await labelsOf(app, accessToken, contact.id),
        names.map((n) => `${n} (new)`),
      );
      // Decoded once: %252F is the text "%2F", which no contact carries.
      const twice = await app.request('/api/labels/A%252FB%20testers%20(new)', { method: 'DELETE', token: accessToken });
      t.is(twice.status, 404);
      const removed = await app.request(`/api/labels/${encodeURIComponent('A/B testers (new)')}`, { method: 'DELETE', token: accessToken });
      t.is(removed.status, 204);
      t.false((await labelsOf(app, accessToken, contact.id)).includes('A/B testers (new)'));
    });

    it('DELETE /api/labels/:name takes the label off every contact and keeps the contacts; an unknown label is 404', async (t, app) => {
      const me = await signUpAndLogIn(app);
      const other = await signUpAndLogIn(app);
      const a = await create(app, me.accessToken, { firstName: 'A', labels: ['Family', 'Work'] });
      const b = await create(app, me.accessToken, { firstName: 'B', labels: ['family'] });
      const theirs = await create(app, other.accessToken, { firstName: 'X', labels: ['Family'] });
      const res = await app.request('/api/labels/FAMILY', { method: 'DELETE', token: me.accessToken });
      t.is(res.status, 204);
      t.is(await res.text(), '');
      t.deepEqual(await labelsOf(app, me.accessToken, a.id), ['Work']);
      t.deepEqual(await labelsOf(app, me.accessToken, b.id), []);
      t.deepEqual(await labelsOf(app, other.accessToken, theirs.id), ['Family']);
      const again = await app.request('/api/labels/Family', { method: 'DELETE', token: me.accessToken });
      t.is(again.status, 404);
      t.like(await problem(again), { code: 'NOT_FOUND' });
      t.deepEqual(await (await app.request('/api/labels', { token: me.accessToken })).json(), { items: [{ name: 'Work', count: 1 }] });
      // A name no contact could carry (a NUL, blank, too long) is simply unknown, never a database error.
      for (const name of ['%00', 'Work%00', '%20', 'x'.repeat(51)]) {
        for (const method of ['DELETE', 'PATCH']) {
          const res = await app.request(`/api/labels/${name}`, { method, token: me.accessToken, ...(method === 'PATCH' ? { json: { name: 'Fine' } } : {}) });
          t.is(res.status, 404, `${method} ${name}`);
        }
      }
      t.deepEqual(await labelsOf(app, me.accessToken, a.id), ['Work']);
    });
  },
  { serial: true },
);
