import test from 'ava';
import type { ContactView } from '../../src/domain/contact.js';
import { encodeSyncToken } from '../../src/domain/sync.js';
import { BACKENDS, oneSchemaTwoInstances, postgresAvailable, TEST_DATABASE_POOLER } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

type Change = { id: string; deleted: false; contact: ContactView } | { id: string; deleted: true };
type Changes = { changes: Change[]; next: string; more: boolean };

async function create(app: TestApp, token: string, json: Record<string, unknown>): Promise<ContactView> {
  const res = await app.request('/api/contacts', { method: 'POST', token, json });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ContactView;
}
async function changes(app: TestApp, token: string, since: string | null, limit = 100): Promise<Changes> {
  const res = await app.request(`/api/contacts/changes?limit=${limit}${since === null ? '' : `&since=${encodeURIComponent(since)}`}`, { token });
  if (res.status !== 200) throw new Error(`changes answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Changes;
}
/** Follows `next` until `more` is false; every answer's changes, in order, and the last `next`. */
async function walk(app: TestApp, token: string, since: string | null, limit = 100): Promise<{ seen: Change[]; next: string }> {
  const seen: Change[] = [];
  let position = since;
  for (;;) {
    const page = await changes(app, token, position, limit);
    seen.push(...page.changes);
    position = page.next;
    if (!page.more) return { seen, next: position };
  }
}

eachBackend(BACKENDS, (it) => {
  it('GET /api/contacts/changes: every live contact at first, then each change once in commit order with its latest state', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const a = await create(app, token, { firstName: 'A' });
    const b = await create(app, token, { firstName: 'B' });
    const c = await create(app, token, { firstName: 'C' });
    t.is((await app.request(`/api/contacts/${c.id}`, { method: 'DELETE', token })).status, 204);
    const start = await walk(app, token, null, 1);
    t.deepEqual(start.seen.map((s) => s.id).sort(), [a.id, b.id].sort());
    t.like(
      start.seen.find((s) => s.id === a.id),
      { deleted: false, contact: { id: a.id, firstName: 'A', etag: a.etag } },
    );
    t.regex(start.next, /^[A-Za-z0-9_-]+$/);
    const idle = await changes(app, token, start.next);
    t.deepEqual(idle, { changes: [], next: idle.next, more: false });
    await app.request(`/api/contacts/${a.id}`, { method: 'PATCH', token, json: { notes: 'one' } });
    await app.request(`/api/contacts/${a.id}`, { method: 'PATCH', token, json: { notes: 'two' } });
    await app.request(`/api/contacts/${b.id}`, { method: 'DELETE', token });
    await app.request(`/api/contacts/${c.id}/restore`, { method: 'POST', token });
    const d = await create(app, token, { firstName: 'D' });
    await app.request(`/api/contacts/${d.id}`, { method: 'DELETE', token });
    await app.request(`/api/contacts/trash/${d.id}`, { method: 'DELETE', token });
    const after = await walk(app, token, start.next, 2);
    t.deepEqual(
      after.seen.map((s) => [s.id, s.deleted]),
      [
        [a.id, false],
        [b.id, true],
        [c.id, false],
        [d.id, true],
      ],
    );
    t.like(after.seen[0], { contact: { notes: 'two' } });
    t.deepEqual(after.seen[1], { id: b.id, deleted: true });
    // Another user's feed is their own.
    const { accessToken: other } = await signUpAndLogIn(app);
    t.deepEqual((await walk(app, other, null)).seen, []);
  });

  it('GET /api/contacts/changes refuses a bad limit (422), a malformed token (400) and a token too old (410)', async (t, app) => {
    const { accessToken: token, userId } = await signUpAndLogIn(app);
    for (const limit of ['0', '1001', 'x']) t.is((await app.request(`/api/contacts/changes?limit=${limit}`, { token })).status, 422);
    for (const since of [
      '',
      'garbage',
      '!!!',
      encodeSyncToken(userId, { change: 1, id: 'nope', floor: 0 }),
      Buffer.from('v9.1..0').toString('base64url'),
      // A token of the format before tokens named their book is refused: the client starts again.
      Buffer.from('v1.0..0').toString('base64url'),
      'A'.repeat(5000),
    ]) {
      const res = await app.request(`/api/contacts/changes?since=${encodeURIComponent(since)}`, { token });
      t.is(res.status, 400, since.slice(0, 20));
      t.is(((await res.json()) as { code: string }).code, 'INVALID_SYNC_TOKEN');
    }
    const a = await create(app, token, { firstName: 'A' });
    const before = await walk(app, token, null);
    await app.request(`/api/contacts/${a.id}`, { method: 'DELETE', token });
    await app.request(`/api/contacts/trash/${a.id}`, { method: 'DELETE', token });
    // CONTACTS_TRASH_DAYS later the tombstone is forgotten: the old token cannot be answered. (Only
    // this user's tombstone is aged, so that the purge leaves other tests' alone.)
    await app.container.knex.raw("UPDATE contact_tombstones SET purged_at = now() - interval '31 days' WHERE user_id = ?", [userId]);
    await app.container.repos.contacts.purgeExpired(new Date(Date.now() - 30 * 86_400_000), 1000);
    const gone = await app.request(`/api/contacts/changes?since=${before.next}`, { token });
    t.is(gone.status, 410);
    t.is(((await gone.json()) as { code: string }).code, 'SYNC_TOKEN_EXPIRED');
    t.is((await app.request('/api/contacts/changes', { token })).status, 200);
  });

  it("GET /api/contacts/changes refuses another user's token (400 INVALID_SYNC_TOKEN), even one at a position the caller's book has", async (t, app) => {
    const mine = await signUpAndLogIn(app);
    const theirs = await signUpAndLogIn(app);
    await create(app, mine.accessToken, { firstName: 'Mine' });
    await create(app, theirs.accessToken, { firstName: 'Theirs' });
    const other = await walk(app, theirs.accessToken, null);
    const refused = await app.request(`/api/contacts/changes?since=${encodeURIComponent(other.next)}`, { token: mine.accessToken });
    t.is(refused.status, 400);
    t.is(((await refused.json()) as { code: string }).code, 'INVALID_SYNC_TOKEN');
    // The caller's own token at the same place is answered.
    const own = await walk(app, mine.accessToken, null);
    t.is((await app.request(`/api/contacts/changes?since=${encodeURIComponent(own.next)}`, { token: mine.accessToken })).status, 200);
  });
});

test('two instances, writers on both and a reader following next meanwhile: every change seen once, the last state of each contact is the book', async (t) => {
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  // oneSchemaTwoInstances shares a schema through search_path, a session setting a transaction-mode
  // pooler does not keep; the pooler pass covers the feed through the single-instance tests above.
  if (TEST_DATABASE_POOLER === 'transaction') return t.pass('two instances on one schema need a direct connection');
  const instances = await oneSchemaTwoInstances();
  const env = { JWT_SECRET: 'two-instances-share-this-secret-0123456789abcdef' };
  const a = await startTestApp({ backend: instances.backends[0], env });
  const b = await startTestApp({ backend: instances.backends[1], env });
  t.teardown(async () => {
    await b.close();
    await a.close();
    await instances.drop();
  });
  const { accessToken: token } = await signUpAndLogIn(a);
  const seed = await Promise.all(Array.from({ length: 10 }, (_, i) => create(a, token, { firstName: `Seed ${i}` })));
  // The reader starts before the writers and walks while they write.
  const state = new Map<string, Change>();
  const apply = (page: Changes) => {
    for (const change of page.changes) state.set(change.id, change);
  };
  let since: string | null = null;
  let writing = true;
  const reader = (async () => {
    let pages = 0;
    for (;;) {
      // Read before the request: an answer counts as the last only when asked after every write ended.
      const afterWrites = !writing;
      const page = await changes(pages % 2 === 0 ? a : b, token, since, 3);
      // Within one answer, each contact once.
      t.is(new Set(page.changes.map((c) => c.id)).size, page.changes.length);
      apply(page);
      since = page.next;
      pages += 1;
      if (!page.more && afterWrites) return;
    }
  })();
  const writer = async (app: TestApp, n: number) => {
    const mine: string[] = [];
    for (let i = 0; i < 25; i++) {
      const step = i % 5;
      if (step === 0 || mine.length === 0) mine.push((await create(app, token, { firstName: `W${n}-${i}` })).id);
      else if (step === 1) await app.request(`/api/contacts/${mine[mine.length - 1]}`, { method: 'PATCH', token, json: { notes: `n${n}-${i}` } });
      else if (step === 2)
        await app.request(`/api/contacts/${seed[(n * 5 + i) % seed.length]!.id}`, { method: 'PATCH', token, json: { notes: `seed ${n}-${i}` } });
      else if (step === 3) await app.request(`/api/contacts/${mine.shift()}`, { method: 'DELETE', token });
      else
        await app.request(`/api/contacts/import`, {
          method: 'POST',
          token,
          body: `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imp ${n}-${i}\r\nN:Imp;${n}-${i};;;\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imp2 ${n}-${i}\r\nN:Imp2;${n}-${i};;;\r\nEND:VCARD\r\n`,
          headers: { 'Content-Type': 'text/vcard' },
        });
    }
  };
  await Promise.all([writer(a, 0), writer(b, 1), writer(a, 2), writer(b, 3)]);
  writing = false;
  await reader;
  // One more walk from where the reader stopped finds nothing left.
  t.deepEqual((await changes(b, token, since)).changes, []);
  const book = new Map<string, ContactView>();
  for (let offset = 0; ; offset += 100) {
    const page = (await (await a.request(`/api/contacts?limit=100&offset=${offset}`, { token })).json()) as { items: ContactView[] };
    for (const contact of page.items) book.set(contact.id, contact);
    if (page.items.length < 100) break;
  }
  const live = [...state.values()].filter((c): c is Extract<Change, { deleted: false }> => !c.deleted);
  t.deepEqual(live.map((c) => c.id).sort(), [...book.keys()].sort());
  for (const change of live) t.deepEqual(change.contact, book.get(change.id), change.id);
});
