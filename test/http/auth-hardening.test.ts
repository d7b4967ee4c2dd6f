import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ServiceUnavailable } from '../../src/domain/errors.js';
import { FakePasswordHasher } from '../fakes/fakes.js';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, PASSWORD, signUpAndLogIn, uniqueEmail, type TestApp } from '../helpers/test-app.js';

/** Rows of the email outbox addressed to that address, of that kind (sent or not). */
async function outboxRows(app: TestApp, to: string, kind: string): Promise<number> {
  const rows = (await app.db.knex('email_outbox').whereRaw(`payload->>'to' = ? and payload->>'kind' = ?`, [to, kind])) as unknown[];
  return rows.length;
}

/** As if the last link of that purpose had been sent two minutes ago. */
async function forgetLastIssue(app: TestApp, userId: string, purpose: string): Promise<void> {
  await app.db
    .knex('email_token_issues')
    .where({ userId, purpose })
    .update({ lastIssuedAt: new Date(Date.now() - 120_000) });
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

/**
 * A client in a process of its own: in this one, the server's background work (PGlite runs its
 * queries on this thread) would delay reading the answer that was already sent, and be counted.
 * It times one POST per message and sends the milliseconds back.
 */
const TIMING_CLIENT = `
process.on('message', async ({ url, email }) => {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  await response.arrayBuffer();
  process.send({ ms: performance.now() - started, status: response.status });
});
process.send('ready');
`;

/** Times each POST alone (the background work of the one before is finished first), known and unknown addresses interleaved. */
async function timeRequests(app: TestApp, path: string, known: string[], unknown: string[]) {
  const client = spawn(process.execPath, ['-e', TIMING_CLIENT], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const replies: Array<(reply: { ms: number; status: number }) => void> = [];
  await new Promise<void>((resolve) => client.once('message', () => resolve()));
  client.on('message', (reply) => replies.shift()?.(reply as { ms: number; status: number }));
  const post = (email: string) =>
    new Promise<{ ms: number; status: number }>((resolve) => {
      replies.push(resolve);
      client.send({ url: app.url + path, email });
    });
  const times = { known: [] as number[], unknown: [] as number[] };
  try {
    for (let i = 0; i < known.length; i++) {
      const pair = [
        ['known', known[i]!],
        ['unknown', unknown[i]!],
      ] as const;
      // Alternating which goes first, so whatever the first of a pair pays is shared evenly.
      for (const [group, email] of i % 2 ? [pair[1], pair[0]] : pair) {
        const { ms, status } = await post(email);
        if (status !== 202) throw new Error(`${path} answered ${status}`);
        times[group].push(ms);
        await app.flushOutbox();
      }
    }
  } finally {
    client.kill();
  }
  return { known: median(times.known), unknown: median(times.unknown) };
}

const TIMED = 20;

eachBackend(BACKENDS, (it) => {
  it('forgot-password and resend-verification answer as fast for a known address as for an unknown one (medians)', async (t, app) => {
    const verified = await Promise.all(Array.from({ length: TIMED }, async () => (await signUpAndLogIn(app)).email));
    const unverified = await Promise.all(
      Array.from({ length: TIMED }, async () => {
        const email = uniqueEmail('timed');
        const signup = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Tim', email, password: PASSWORD } });
        await forgetLastIssue(app, ((await signup.json()) as { user: { id: string } }).user.id, 'verify-email');
        return email;
      }),
    );
    const nobody = () => Array.from({ length: TIMED }, () => uniqueEmail('nobody'));
    // Warm both paths once, so neither pays for the first compilation of the route.
    await timeRequests(app, '/api/auth/forgot-password', [uniqueEmail('warm')], [uniqueEmail('warm')]);

    const forgot = await timeRequests(app, '/api/auth/forgot-password', verified, nobody());
    const resend = await timeRequests(app, '/api/auth/resend-verification', unverified, nobody());
    t.log(`forgot-password median: known ${forgot.known.toFixed(2)} ms, unknown ${forgot.unknown.toFixed(2)} ms`);
    t.log(`resend-verification median: known ${resend.known.toFixed(2)} ms, unknown ${resend.unknown.toFixed(2)} ms`);
    // The work really happened, in the background: one reset email per known address, one new link per unverified one.
    for (const email of verified) t.is(app.mailer.to(email).filter((e) => e.kind === 'password-reset').length, 1);
    for (const email of unverified) t.is(app.mailer.to(email).filter((e) => e.kind === 'verify-email').length, 2);
    // Load-tolerant: before, a known address took ~35 ms against ~6 ms for an unknown one.
    for (const { known, unknown } of [forgot, resend]) t.true(known <= unknown * 1.5 + 5, `known ${known} ms vs unknown ${unknown} ms`);
  });

  it('ten parallel forgot-password requests for one address send exactly one reset email', async (t, app) => {
    const { email, userId } = await signUpAndLogIn(app);
    const answers = await Promise.all(Array.from({ length: 10 }, () => app.request('/api/auth/forgot-password', { method: 'POST', json: { email } })));
    t.deepEqual(
      answers.map((r) => r.status),
      Array(10).fill(202),
    );
    await app.flushOutbox();
    t.is(await outboxRows(app, email, 'password-reset'), 1);
    t.is(app.mailer.to(email).filter((e) => e.kind === 'password-reset').length, 1);
    t.is(((await app.db.knex('one_time_tokens').where({ userId, purpose: 'reset-password' })) as unknown[]).length, 1);
  });

  it('ten parallel resend-verification requests for one unverified address send exactly one new link', async (t, app) => {
    const email = uniqueEmail('unverified');
    const signup = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Una', email, password: PASSWORD } });
    const { user } = (await signup.json()) as { user: { id: string } };
    await forgetLastIssue(app, user.id, 'verify-email');
    const answers = await Promise.all(Array.from({ length: 10 }, () => app.request('/api/auth/resend-verification', { method: 'POST', json: { email } })));
    t.deepEqual(
      answers.map((r) => r.status),
      Array(10).fill(202),
    );
    await app.flushOutbox();
    t.is(await outboxRows(app, email, 'verify-email'), 2, 'the signup email and exactly one resend');
    t.is(app.mailer.to(email).filter((e) => e.kind === 'verify-email').length, 2);
  });
});

/** Fast and reversible like the fake, slow enough that parallel requests overlap; counts hashes per password. */
class CountingHasher extends FakePasswordHasher {
  readonly hashes = new Map<string, number>();
  /** Passwords whose hashing is refused as a full worker queue would refuse it. */
  readonly refuse = new Set<string>();
  override async hash(password: string): Promise<string> {
    if (this.refuse.has(password)) throw new ServiceUnavailable('password hashing', 1);
    this.hashes.set(password, (this.hashes.get(password) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return super.hash(password);
  }
}
const hasher = new CountingHasher();

eachBackend(
  BACKENDS,
  (it) => {
    it('five parallel uses of one reset link cost one hash: exactly one 204, the others 400 INVALID_TOKEN', async (t, app) => {
      const { email } = await signUpAndLogIn(app);
      await app.request('/api/auth/forgot-password', { method: 'POST', json: { email } });
      const token = app.mailer.lastToken('password-reset', email);
      const passwords = Array.from({ length: 5 }, (_, i) => `new passphrase number ${i} ${randomBytes(4).toString('hex')}`);
      const answers = await Promise.all(passwords.map((password) => app.request('/api/auth/reset-password', { method: 'POST', json: { token, password } })));
      t.deepEqual(answers.map((r) => r.status).sort(), [204, 400, 400, 400, 400]);
      for (const answer of answers.filter((r) => r.status === 400)) t.like(await answer.json(), { code: 'INVALID_TOKEN' });
      t.is(
        passwords.reduce((sum, p) => sum + (hasher.hashes.get(p) ?? 0), 0),
        1,
        'one hash for five uses',
      );
      const winner = passwords[answers.findIndex((r) => r.status === 204)]!;
      t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: winner } })).status, 200);
      t.is(app.mailer.to(email).filter((e) => e.kind === 'password-changed').length, 1);
    });

    it('a reset whose hashing is refused (queue full) answers 503 with Retry-After and leaves the link usable', async (t, app) => {
      const { email } = await signUpAndLogIn(app);
      await app.request('/api/auth/forgot-password', { method: 'POST', json: { email } });
      const token = app.mailer.lastToken('password-reset', email);
      const password = `refused once ${randomBytes(4).toString('hex')}`;
      hasher.refuse.add(password);
      const busy = await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password } });
      t.is(busy.status, 503);
      t.is(busy.headers.get('content-type'), 'application/problem+json');
      t.is(busy.headers.get('retry-after'), '1');
      t.like(await busy.json(), { status: 503, code: 'SERVICE_UNAVAILABLE' });
      hasher.refuse.delete(password);
      t.is((await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password } })).status, 204);
    });
  },
  { hasher },
);
