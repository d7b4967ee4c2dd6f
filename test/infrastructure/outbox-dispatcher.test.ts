import test from 'ava';
import type { Email } from '../../src/application/ports/mailer.js';
import { makeDeliverPendingEmails, type DeliveryReport } from '../../src/application/use-cases/deliver-pending-emails.js';
import { OutboxDispatcher } from '../../src/infrastructure/outbox-dispatcher.js';
import { CapturingLogger, CapturingMailer } from '../fakes/fakes.js';
import { InMemoryOutboxRepository } from '../fakes/in-memory-repositories.js';
import { eventually } from '../helpers/smtp.js';

const clock = { now: () => new Date() };
const email = (to: string): Email => ({ kind: 'password-changed', to, username: 'U' });

/** A mailer whose sends wait until the test lets them through. */
class GatedMailer extends CapturingMailer {
  private release: (() => void) | undefined;
  started = 0;
  override async send(message: Email): Promise<void> {
    this.started += 1;
    await new Promise<void>((resolve) => (this.release = resolve));
    await super.send(message);
  }
  open(): void {
    this.release?.();
  }
}

function dispatcherOver(outbox: InMemoryOutboxRepository, mailer: CapturingMailer, pollIntervalMs = 60_000) {
  const logger = new CapturingLogger();
  const deliver = makeDeliverPendingEmails({ outbox, mailer, clock, logger, retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 }, leaseMs: 60_000 });
  return { dispatcher: new OutboxDispatcher({ deliver, pollIntervalMs, logger }), logger };
}

test('a nudge delivers at once; a nudge during a run makes it go round again', async (t) => {
  const outbox = new InMemoryOutboxRepository();
  const mailer = new GatedMailer();
  const { dispatcher } = dispatcherOver(outbox, mailer);
  dispatcher.start();
  await outbox.enqueue(email('one@example.com'), clock.now());
  dispatcher.nudge();
  await eventually(() => mailer.started === 1, 5000, 'the first send');
  // Committed while the run is busy with the first one; that run has already looked for work.
  await outbox.enqueue(email('two@example.com'), clock.now());
  dispatcher.nudge();
  mailer.open();
  await eventually(() => mailer.started === 2, 5000, 'the second send');
  mailer.open();
  await dispatcher.drain();
  t.deepEqual(
    mailer.sent.map((e) => e.to),
    ['one@example.com', 'two@example.com'],
  );
  await dispatcher.stop();
});

test('the poll interval picks up messages no one nudged about (another instance’s, or a retry)', async (t) => {
  const outbox = new InMemoryOutboxRepository();
  const mailer = new CapturingMailer();
  const { dispatcher } = dispatcherOver(outbox, mailer, 20);
  dispatcher.start();
  await outbox.enqueue(email('quiet@example.com'), clock.now());
  await eventually(() => mailer.sent.length === 1, 5000, 'the polled send');
  t.is(mailer.sent[0]?.to, 'quiet@example.com');
  await dispatcher.stop();
});

test('stop finishes and records the send in flight, claims nothing more, and resolves only then', async (t) => {
  const outbox = new InMemoryOutboxRepository();
  const mailer = new GatedMailer();
  const { dispatcher } = dispatcherOver(outbox, mailer);
  const first = await outbox.enqueue(email('one@example.com'), clock.now());
  const second = await outbox.enqueue(email('two@example.com'), new Date(clock.now().getTime() + 1));
  await new Promise((resolve) => setTimeout(resolve, 5));
  dispatcher.start();
  await eventually(() => mailer.started === 1, 5000, 'the first send');

  let stopped = false;
  const stopping = dispatcher.stop().then(() => (stopped = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.false(stopped, 'stop waits for the send in flight');
  mailer.open();
  await stopping;
  t.like(await outbox.findById(first), { status: 'sent' });
  t.like(await outbox.findById(second), { status: 'pending', attempts: 0 });
  dispatcher.nudge();
  await dispatcher.drain();
  t.is(mailer.started, 1, 'a stopped dispatcher sends nothing');
});

test('a run that throws (database down) is logged, and the next nudge runs again', async (t) => {
  let calls = 0;
  const logger = new CapturingLogger();
  const deliver = async (): Promise<DeliveryReport> => {
    calls += 1;
    if (calls === 1) throw new Error('Connection terminated unexpectedly');
    return { sent: 1, retried: 0, failed: 0 };
  };
  const dispatcher = new OutboxDispatcher({ deliver, pollIntervalMs: 60_000, logger });
  await dispatcher.drain();
  t.true(logger.lines.some((l) => l.level === 'warn' && JSON.stringify(l.fields).includes('Connection terminated')));
  await dispatcher.drain();
  t.is(calls, 2);
  await dispatcher.stop();
});
