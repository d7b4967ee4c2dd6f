import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { Database } from '../../src/infrastructure/database.js';
import type { Email, Mailer } from '../../src/application/ports/mailer.js';
import { makeDeliverPendingEmails } from '../../src/application/use-cases/deliver-pending-emails.js';
import { KnexOutboxRepository } from '../../src/adapters/persistence/knex-outbox-repository.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { pgliteBackend, postgresBackend, type TestDatabase } from '../helpers/databases.js';

const MESSAGES = 60;
const systemClock = { now: () => new Date() };

/** A mailer that takes a moment per email, like a real server, and notes which worker sent what. */
class RecordingMailer implements Mailer {
  constructor(
    private readonly worker: string,
    private readonly log: { worker: string; to: string }[],
  ) {}
  async send(email: Email): Promise<void> {
    await sleep(1 + Math.floor(Math.random() * 3));
    this.log.push({ worker: this.worker, to: email.to });
  }
}

function worker(knex: Knex, name: string, log: { worker: string; to: string }[]) {
  return makeDeliverPendingEmails({
    outbox: new KnexOutboxRepository(knex),
    mailer: new RecordingMailer(name, log),
    clock: systemClock,
    logger: new CapturingLogger(),
    retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
    leaseMs: 60_000,
  });
}

async function enqueueMany(knex: Knex): Promise<string[]> {
  const outbox = new KnexOutboxRepository(knex);
  const addresses = Array.from({ length: MESSAGES }, (_, i) => `user${i}@example.com`);
  const now = new Date(Date.now() - 1000);
  for (const to of addresses) await outbox.enqueue({ kind: 'password-changed', to, username: 'U' }, now);
  return addresses;
}

async function assertEachSentOnce(t: import('ava').ExecutionContext, knex: Knex, addresses: string[], log: { worker: string; to: string }[]) {
  t.is(log.length, MESSAGES);
  t.deepEqual(log.map((l) => l.to).sort(), [...addresses].sort());
  const rows = await knex('email_outbox').select('status', 'attempts');
  t.true(rows.every((r: { status: string; attempts: number }) => r.status === 'sent' && r.attempts === 1));
}

test('two app instances on one PostgreSQL database deliver each message exactly once between them', async (t) => {
  if (!(await postgresBackend.available())) return t.pass('postgres is not running');
  let db: TestDatabase | undefined;
  let other: Database | undefined;
  try {
    db = await postgresBackend.create();
    // A second pool of its own, as a second instance of the app would have.
    other = db.openPool!();
    const addresses = await enqueueMany(db.knex);
    const log: { worker: string; to: string }[] = [];
    const [a, b] = await Promise.all([worker(db.knex, 'a', log)(), worker(other.knex, 'b', log)()]);

    t.is(a.sent + b.sent, MESSAGES);
    await assertEachSentOnce(t, db.knex, addresses, log);
    t.true(a.sent > 0 && b.sent > 0, `both instances took part (a: ${a.sent}, b: ${b.sent})`);
  } finally {
    await other?.close();
    await db?.drop();
  }
});

test('two delivery loops sharing PGlite’s single connection deliver each message exactly once', async (t) => {
  const db = await pgliteBackend.create();
  try {
    const addresses = await enqueueMany(db.knex);
    const log: { worker: string; to: string }[] = [];
    const [a, b] = await Promise.all([worker(db.knex, 'a', log)(), worker(db.knex, 'b', log)()]);
    t.is(a.sent + b.sent, MESSAGES);
    await assertEachSentOnce(t, db.knex, addresses, log);
  } finally {
    await db.drop();
  }
});
