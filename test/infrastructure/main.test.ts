import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { postgresAvailable, TEST_DATABASE_URL } from '../helpers/databases.js';
import { startMain, type Running } from '../helpers/main-process.js';
import { linkIn, SmtpSink } from '../helpers/smtp-sink.js';

async function accountFlow(t: import('ava').ExecutionContext, url: string, readLink: (email: string) => Promise<string>) {
  const email = `ann.${randomBytes(3).toString('hex')}@example.com`;
  const password = 'correct horse battery';
  const post = (p: string, body: unknown, token?: string) =>
    fetch(url + p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  t.is((await post('/api/auth/signup', { username: 'Ann', email, password })).status, 201);
  const link = new URL(await readLink(email));
  t.is(link.pathname, '/account/verify-email');
  const verified = await fetch(`${url}/api/auth/verify-email?token=${link.searchParams.get('token')}`);
  t.is(verified.status, 200);
  const login = await post('/api/auth/login', { email, password });
  t.is(login.status, 200);
  const { accessToken, refreshToken } = (await login.json()) as { accessToken: string; refreshToken: string };
  const me = await fetch(`${url}/api/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  t.like(await me.json(), { email, emailVerified: true });
  t.is((await post('/api/auth/logout', { refreshToken }, accessToken)).status, 204);
  t.is((await fetch(`${url}/api/users/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status, 401);
}

test('npm start on embedded defaults: signup → .eml in data/outbox → verify link → login → me; SIGTERM stops cleanly', async (t) => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-main-'));
  const running = await startMain({}, cwd);
  try {
    await accountFlow(t, running.url, async () => {
      // The email leaves through the outbox dispatcher, right after the signup commits.
      const outbox = path.join(cwd, 'data', 'outbox');
      for (let waited = 0; waited < 10_000; waited += 100) {
        const file = (await readdir(outbox).catch(() => [])).find((f) => f.endsWith('.eml'));
        if (file) return linkIn(await simpleParser(await readFile(path.join(outbox, file))));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('no .eml appeared in data/outbox');
    });
    running.child.kill('SIGTERM');
    t.is(await running.exit, 0);
    t.regex(running.output(), /"msg":"stopped"/);
  } finally {
    running.child.kill('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  }
});

test('against a real PostgreSQL and SMTP server, the same flow holds', async (t) => {
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  const database = `contacts_e2e_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const sink = await new SmtpSink().start();
  const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-main-'));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  let running: Running | undefined;
  try {
    running = await startMain({ DATABASE_URL: url.href, SMTP_URL: sink.url }, cwd);
    await accountFlow(t, running.url, async (email) => linkIn(await sink.waitFor(email)));
    running.child.kill('SIGTERM');
    t.is(await running.exit, 0);
  } finally {
    running?.child.kill('SIGKILL');
    await running?.exit;
    await sink.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(cwd, { recursive: true, force: true });
  }
});

test('a bad configuration value stops the start with one line naming the variable', async (t) => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-main-'));
  try {
    await t.throwsAsync(startMain({ PORT: 'not-a-port' }, cwd), { message: /Configuration error: PORT: / });
    await t.throwsAsync(startMain({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1' }, cwd), {
      message: /Configuration error: JWT_SECRET: must be set/,
    });
    await t.throwsAsync(startMain({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') }, cwd), {
      message: /Configuration error: SMTP_URL: must be set/,
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
