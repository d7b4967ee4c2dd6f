import test from 'ava';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, PASSWORD, uniqueEmail } from '../helpers/test-app.js';
import { eventually, TestSmtpServer } from '../helpers/smtp.js';

test('signup while the SMTP server is down answers 201, and the verification email arrives once it is back', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start();
  const app = await startTestApp({
    configuredMailer: true,
    env: { SMTP_URL: smtp.url, SMTP_TIMEOUT_MS: '2000', OUTBOX_RETRY_BASE_MS: '100', OUTBOX_RETRY_MAX_MS: '400', OUTBOX_POLL_INTERVAL_MS: '50' },
  });
  try {
    await smtp.stop();
    const email = uniqueEmail('down');
    const signup = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Ann', email, password: PASSWORD } });
    t.is(signup.status, 201);

    const row = () => app.db.knex('email_outbox').whereRaw(`payload->>'to' = ?`, [email]).first();
    const waiting = await row();
    t.is(waiting.status, 'pending');
    t.true(waiting.attempts >= 1);
    t.regex(waiting.lastError, /ECONNREFUSED/);
    t.is(smtp.received.length, 0);

    await smtp.start();
    await eventually(() => smtp.to(email).length > 0, 10_000, 'the verification email');
    const [mail] = smtp.to(email);
    const link = mail!.text!.split('\n').find((line) => line.startsWith('http://app.test/account/verify-email?token='));
    t.truthy(link, 'the link stands alone on a line');
    const verify = await app.request(`/api/auth/verify-email?token=${new URL(link!).searchParams.get('token')}`);
    t.is(verify.status, 200);

    await eventually(async () => (await row()).status === 'sent', 5000, 'the row to be marked sent');
    const sent = await row();
    t.true(sent.attempts >= 2);
    t.falsy(sent.payload.link, 'the link is not kept once sent');
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.is(smtp.to(email).length, 1, 'sent once, not once per attempt');
  } finally {
    await app.close();
    await smtp.stop();
  }
});

test('a committed email is sent at once, without waiting for the poll interval', async (t) => {
  const app = await startTestApp({ env: { OUTBOX_POLL_INTERVAL_MS: '600000' } });
  try {
    const email = uniqueEmail('quick');
    // Plain fetch: the harness's request() would deliver the outbox itself.
    const signup = await fetch(`${app.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Ann', email, password: PASSWORD }),
    });
    t.is(signup.status, 201);
    await eventually(() => app.mailer.to(email).length === 1, 5000, 'the verification email');
    t.is(app.mailer.last('verify-email', email)?.to, email);
  } finally {
    await app.close();
  }
});

test('with no SMTP_URL, emails go through the outbox into .eml files under DATA_DIR/outbox', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'data-'));
  const app = await startTestApp({ configuredMailer: true, env: { DATA_DIR: dataDir } });
  try {
    const email = uniqueEmail('file');
    t.is((await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Ann', email, password: PASSWORD } })).status, 201);
    const files = await readdir(path.join(dataDir, 'outbox'));
    t.is(files.length, 1);
    t.true((await readFile(path.join(dataDir, 'outbox', files[0]!), 'utf8')).includes(`To: ${email}`));
    t.like(await app.db.knex('email_outbox').whereRaw(`payload->>'to' = ?`, [email]).first(), { status: 'sent', attempts: 1 });
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
