import test from 'ava';
import type { Email } from '../../src/application/ports/mailer.js';
import {
  describeFailure,
  makeDeliverPendingEmails,
  MAX_ERROR_LENGTH,
  retryDelayMs,
  type RetryPolicy,
} from '../../src/application/use-cases/deliver-pending-emails.js';
import { fakeWorld, PASSWORD } from '../fakes/fake-world.js';
import { CapturingLogger, CapturingMailer, FakeClock } from '../fakes/fakes.js';
import { InMemoryOutboxRepository } from '../fakes/in-memory-repositories.js';

const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };
const LEASE_MS = 60_000;

function setup(options: { random?: () => number; mailer?: CapturingMailer } = {}) {
  const outbox = new InMemoryOutboxRepository();
  const mailer = options.mailer ?? new CapturingMailer();
  const clock = new FakeClock();
  const logger = new CapturingLogger();
  const deliver = makeDeliverPendingEmails({ outbox, mailer, clock, logger, retry: POLICY, leaseMs: LEASE_MS, random: options.random ?? (() => 1) });
  return { outbox, mailer, clock, logger, deliver };
}

const verify = (to: string): Email => ({ kind: 'verify-email', to, username: 'Ann', link: `http://app.test/account/verify-email?token=${to}` });

test('signup followed by delivery hands the verification email to the mailer once', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  t.is(world.mailer.sent.length, 0);
  const token = world.outbox.lastToken('verify-email', 'ann@example.com');

  t.deepEqual(await world.useCases.deliverPendingEmails(), { sent: 1, retried: 0, failed: 0 });
  t.is(world.mailer.lastToken('verify-email', 'ann@example.com'), token);
  t.deepEqual(await world.useCases.deliverPendingEmails(), { sent: 0, retried: 0, failed: 0 });
  t.is(world.mailer.sent.length, 1);
});

test('a delivered message is marked sent with its time, and its link is no longer stored', async (t) => {
  const { outbox, mailer, clock, deliver } = setup();
  const id = await outbox.enqueue(verify('ann@example.com'), clock.now());
  await deliver();
  t.is(mailer.sent.length, 1);
  const stored = await outbox.findById(id);
  t.like(stored, { status: 'sent', attempts: 1, lastError: null });
  t.deepEqual(stored?.sentAt, clock.now());
  t.false('link' in stored!.email);
  t.is(stored?.email.to, 'ann@example.com');
});

test('messages are delivered in the order they became due', async (t) => {
  const { outbox, mailer, clock, deliver } = setup();
  await outbox.enqueue(verify('second@example.com'), clock.now());
  await outbox.enqueue(verify('first@example.com'), new Date(clock.now().getTime() - 1000));
  await outbox.enqueue(verify('later@example.com'), new Date(clock.now().getTime() + 1000));
  await deliver();
  t.deepEqual(
    mailer.sent.map((e) => e.to),
    ['first@example.com', 'second@example.com'],
  );
  clock.advance(1000);
  await deliver();
  t.deepEqual(
    mailer.sent.map((e) => e.to),
    ['first@example.com', 'second@example.com', 'later@example.com'],
  );
});

test('a failed attempt is recorded and retried after the backoff, not before', async (t) => {
  const { outbox, mailer, clock, logger, deliver } = setup();
  const id = await outbox.enqueue(verify('ann@example.com'), clock.now());
  mailer.failing = true;
  t.deepEqual(await deliver(), { sent: 0, retried: 1, failed: 0 });
  const stored = await outbox.findById(id);
  t.like(stored, { status: 'pending', attempts: 1, lastError: 'SMTP server unavailable' });
  t.is(stored!.nextAttemptAt.getTime() - clock.now().getTime(), 1000);
  t.true(logger.lines.some((l) => l.level === 'warn' && l.message.includes('will retry')));

  mailer.failing = false;
  clock.advance(999);
  t.deepEqual(await deliver(), { sent: 0, retried: 0, failed: 0 });
  clock.advance(1);
  t.deepEqual(await deliver(), { sent: 1, retried: 0, failed: 0 });
  t.like(await outbox.findById(id), { status: 'sent', attempts: 2 });
  t.is(mailer.sent.length, 1);
});

test('after the last allowed attempt the message is marked failed, stays visible and is never tried again', async (t) => {
  const { outbox, mailer, clock, logger, deliver } = setup();
  const id = await outbox.enqueue(verify('ann@example.com'), clock.now());
  mailer.failing = true;
  for (let attempt = 1; attempt < POLICY.maxAttempts; attempt++) {
    t.like(await deliver(), { retried: 1 });
    clock.advance(POLICY.maxDelayMs);
  }
  t.deepEqual(await deliver(), { sent: 0, retried: 0, failed: 1 });
  const stored = await outbox.findById(id);
  t.like(stored, { status: 'failed', attempts: POLICY.maxAttempts, lastError: 'SMTP server unavailable', sentAt: null });
  t.false('link' in stored!.email);
  t.true(logger.lines.some((l) => l.level === 'error' && l.message.includes('giving up')));

  mailer.failing = false;
  clock.advance(POLICY.maxDelayMs);
  t.deepEqual(await deliver(), { sent: 0, retried: 0, failed: 0 });
  t.is(mailer.sent.length, 0);
});

test('a message claimed by another worker is left alone until that worker’s lease runs out', async (t) => {
  const { outbox, mailer, clock, deliver } = setup();
  const id = await outbox.enqueue(verify('ann@example.com'), clock.now());
  // Another instance claimed it and then died before reporting anything.
  await outbox.claimNext(clock.now(), new Date(clock.now().getTime() + LEASE_MS));
  t.deepEqual(await deliver(), { sent: 0, retried: 0, failed: 0 });
  clock.advance(LEASE_MS);
  t.deepEqual(await deliver(), { sent: 1, retried: 0, failed: 0 });
  t.like(await outbox.findById(id), { status: 'sent', attempts: 2 });
  t.is(mailer.sent.length, 1);
});

test('asked to stop, delivery finishes the message in flight and claims no other', async (t) => {
  const controller = new AbortController();
  const mailer = new (class extends CapturingMailer {
    override async send(email: Email) {
      await super.send(email);
      controller.abort();
    }
  })();
  const { outbox, clock, deliver } = setup({ mailer });
  const first = await outbox.enqueue(verify('one@example.com'), clock.now());
  const second = await outbox.enqueue(verify('two@example.com'), new Date(clock.now().getTime() + 1));
  clock.advance(1);
  t.deepEqual(await deliver({ signal: controller.signal }), { sent: 1, retried: 0, failed: 0 });
  t.like(await outbox.findById(first), { status: 'sent' });
  t.like(await outbox.findById(second), { status: 'pending', attempts: 0 });
});

test('the retry delay doubles from the base, is capped, and is jittered between half and all of it', (t) => {
  const policy: RetryPolicy = { maxAttempts: 20, baseDelayMs: 1000, maxDelayMs: 10_000 };
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 12].map((n) => retryDelayMs(n, policy, () => 1)),
    [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000],
  );
  t.deepEqual(
    [1, 2, 5].map((n) => retryDelayMs(n, policy, () => 0)),
    [500, 1000, 5000],
  );
  for (let i = 0; i < 100; i++) {
    const delay = retryDelayMs(3, policy);
    t.true(delay >= 2000 && delay <= 4000);
  }
});

test('a stored error is one short line with URL credentials removed', (t) => {
  const error = Object.assign(new Error('connect failed for smtp://mailer:s3cret@smtp.example.com:587\n  at somewhere'), { code: 'ECONNREFUSED' });
  const text = describeFailure(error);
  t.is(text, 'ECONNREFUSED: connect failed for smtp://***@smtp.example.com:587 at somewhere');
  t.false(text.includes('s3cret'));
  const long = describeFailure(new Error('x'.repeat(5000)));
  t.is(long.length, MAX_ERROR_LENGTH);
  t.is(describeFailure('plain string'), 'plain string');
});
