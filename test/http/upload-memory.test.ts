import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS } from '../../src/infrastructure/node-flags.js';
import { postgresAvailable, TEST_DATABASE_URL } from '../helpers/databases.js';
import { png } from '../helpers/images.js';
import { logLine, startMain } from '../helpers/main-process.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';
import { form } from '../helpers/uploads.js';

const MiB = 1024 * 1024;
const AVATAR_MAX_BYTES = 5 * MiB;
const PARALLEL = 20;
/**
 * What the uploads may add to the server's RSS over its idle RSS (VmRSS before, VmHWM after): 20
 * bodies of 5 MiB held at once would add 100 MiB and more; the upload budget holds 16 MiB. The
 * bound is on the growth, not on the total, because the idle RSS of a server started through tsx
 * is not the code's to choose and differs by machine (227–245 MB on one, where the total bound of
 * 300 MB failed for the budget's own commit too).
 */
const RSS_GROWTH_LIMIT_KB = 80 * 1024;

/** A valid PNG padded after its end to exactly `size` bytes: the image check reads only the header. */
function paddedPng(size: number): Buffer {
  const image = png(16, 16);
  return Buffer.concat([image, Buffer.alloc(size - image.length, 0x5a)]);
}

async function memoryOf(pid: number): Promise<{ peakKb: number; nowKb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { peakKb: kb('VmHWM'), nowKb: kb('VmRSS') };
}

test('20 parallel 5 MiB avatar uploads to a real server process all answer 200, and its peak RSS grows less than 80 MB over the idle server, then under 40 more', async (t) => {
  if (process.platform !== 'linux') return t.pass('reads /proc');
  // The embedded PostgreSQL (PGlite) alone holds about 300 MB of the process's RSS; production runs on a server.
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  t.timeout(180_000);
  const database = `contacts_uploads_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = new URL(TEST_DATABASE_URL);
  databaseUrl.pathname = `/${database}`;
  const cwd = await mkdtemp(path.join(tmpdir(), 'upload-memory-'));
  // Started as production starts it (the Dockerfile's flags and environment); mail goes to the outbox folder.
  const starting = startMain(
    {
      ...PRODUCTION_ENV,
      DATABASE_URL: databaseUrl.href,
      AVATAR_MAX_BYTES: String(AVATAR_MAX_BYTES),
      // The per-user upload limit is not what this measures.
      RATE_LIMIT_ACCOUNT_MAX: '1000',
    },
    cwd,
    PRODUCTION_NODE_FLAGS,
  );
  try {
    const running = await starting;
    const { child, url } = running;
    const post = (route: string, json: unknown) =>
      fetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const email = uniqueEmail('uploader');
    t.is((await post('/api/auth/signup', { username: 'Uploader', email, password: PASSWORD })).status, 201);
    const link = new URL((await logLine(running, 'email written to the outbox folder')).link as string);
    t.is((await fetch(`${url}/api/auth/verify-email${link.search}`)).status, 200);
    const { accessToken } = (await (await post('/api/auth/login', { email, password: PASSWORD })).json()) as { accessToken: string };

    const request = new Request(url, { method: 'POST', body: form(paddedPng(AVATAR_MAX_BYTES)) });
    const body = Buffer.from(await request.arrayBuffer());
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': request.headers.get('content-type')! };
    const burst = (size: number) =>
      Promise.all(
        Array.from({ length: size }, async () => {
          const res = await fetch(`${url}/api/users/me/avatar`, { method: 'PATCH', headers, body });
          await res.arrayBuffer();
          return { status: res.status, retryAfter: res.headers.get('retry-after') };
        }),
      );
    const mb = (kb: number) => Math.round(kb / 1024);
    const before = await memoryOf(child.pid!);
    const answers = await burst(PARALLEL);
    const after = await memoryOf(child.pid!);
    t.log(`RSS before ${mb(before.nowKb)} MB, peak over ${PARALLEL} uploads ${mb(after.peakKb)} MB, after ${mb(after.nowKb)} MB`);
    t.deepEqual(
      answers.map((answer) => answer.status),
      new Array(PARALLEL).fill(200),
      'each upload waits its turn and is stored',
    );
    t.true(after.peakKb - before.nowKb < RSS_GROWTH_LIMIT_KB, `peak RSS ${mb(after.peakKb)} MB, ${mb(after.peakKb - before.nowKb)} MB over the idle server`);

    // Twice as many: the memory the uploads hold does not grow with their number. Some may be told to come back.
    const more = await burst(2 * PARALLEL);
    const end = await memoryOf(child.pid!);
    t.log(`peak over ${2 * PARALLEL} more: ${mb(end.peakKb)} MB, answers ${[...new Set(more.map((answer) => answer.status))].join(', ')}`);
    for (const answer of more) {
      t.true(answer.status === 200 || (answer.status === 503 && Number(answer.retryAfter) >= 1), `answered ${answer.status}`);
    }
    t.true(more.some((answer) => answer.status === 200));
    t.true(end.peakKb - before.nowKb < RSS_GROWTH_LIMIT_KB, `peak RSS ${mb(end.peakKb)} MB, ${mb(end.peakKb - before.nowKb)} MB over the idle server`);
  } finally {
    // A start that failed has exited already; `exit` settles either way.
    const running = await starting.catch(() => null);
    running?.child.kill('SIGKILL');
    await running?.exit;
    await rm(cwd, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
});
