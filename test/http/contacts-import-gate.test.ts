import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { postgresBackend, TEST_DATABASE_URL } from '../helpers/databases.js';
import { allContacts, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

type Report = { created: number; skipped: { index: number; name: string | null; reason: string }[] };

const CARDS = 2000;
const IMPORTS = 10;

/**
 * Whether a connection the app's write pool (knex's) has lent out holds an advisory lock: in this
 * test, only an import's transaction takes one, the lock of the book it writes.
 */
async function anImportLocksTheBook(app: TestApp, probe: pg.Client): Promise<boolean> {
  const { pool } = app.db.knex.client as { pool: { used: { resource: { processID: number } }[] } };
  const pids = pool.used.map((used) => used.resource.processID);
  if (pids.length === 0) return false;
  const { rowCount } = await probe.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = ANY($1)`, [pids]);
  return (rowCount ?? 0) > 0;
}

test('on PostgreSQL with a write pool of 4, ten parallel imports by one user leave the pool to another user, whose write answers while the first import runs; every import answers 200 and each card is stored once', async (t) => {
  if (!(await postgresBackend.available())) return t.pass('PostgreSQL is not running');
  const app = await startTestApp({ backend: postgresBackend, env: { DATABASE_POOL_MAX: '4' } });
  t.teardown(() => app.close());
  const importer = await signUpAndLogIn(app);
  const other = await signUpAndLogIn(app);
  const file = Array.from(
    { length: CARDS },
    (_, i) =>
      `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Person ${i}\r\nN:${i};Person;;;\r\nORG:Company ${i % 50}\r\nTEL:+1 555 ${String(i).padStart(7, '0')}\r\nEMAIL:p${i}@example.com\r\nNOTE:card ${i}\r\nEND:VCARD\r\n`,
  ).join('');

  // Each response, in the order they came back.
  const answered: string[] = [];
  const imports = Array.from({ length: IMPORTS }, async (_, i) => {
    const res = await app.request('/api/contacts/import', {
      method: 'POST',
      token: importer.accessToken,
      body: file,
      headers: { 'Content-Type': 'text/vcard' },
    });
    answered.push(`import ${i}`);
    return { status: res.status, report: (await res.json()) as Report };
  });
  // The other user writes once an import's transaction has locked the book: without the gate, the
  // other imports are by then holding the rest of the pool or queued for it.
  const probe = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await probe.connect();
  t.teardown(() => probe.end());
  while (!(await anImportLocksTheBook(app, probe)) && answered.length === 0) await sleep(5);
  t.is(answered.length, 0, 'the write is sent while the first import runs');
  const write = await app.request('/api/contacts', {
    method: 'POST',
    token: other.accessToken,
    json: { firstName: 'Meanwhile', email: 'meanwhile@example.com' },
  });
  answered.push('write');
  const results = await Promise.all(imports);

  t.is(write.status, 201);
  t.true(answered.indexOf('write') <= 1, `the write waited for imports: ${answered.join(', ')}`);
  t.deepEqual(
    results.map((r) => r.status),
    Array(IMPORTS).fill(200),
  );
  t.is(
    results.reduce((sum, r) => sum + r.report.created, 0),
    CARDS,
  );
  t.is(
    results.reduce((sum, r) => sum + r.report.skipped.length, 0),
    (IMPORTS - 1) * CARDS,
  );
  const stored = await allContacts(app, importer.accessToken);
  t.is(stored.length, CARDS);
  t.is(new Set(stored.map((c) => c.email)).size, CARDS);
});
