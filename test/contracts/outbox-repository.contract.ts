import type { ExecutionContext } from 'ava';
import type { Email } from '../../src/application/ports/mailer.js';
import type { OutboxRepository } from '../../src/application/ports/outbox-repository.js';
import type { UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface OutboxRepositoryUnderTest {
  outbox: OutboxRepository;
  uow: UnitOfWork;
  /** Empties the outbox between tests (they run one after another on one store). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const T0 = new Date('2026-06-15T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;
const verify = (to: string): Email => ({
  kind: 'verify-email',
  to,
  username: 'Zoë 😀',
  link: `http://app.test/account/verify-email?token=${encodeURIComponent(to)}`,
});

/** What every OutboxRepository promises, the in-memory fake included. Serial tests, each on an emptied outbox. */
export function outboxRepositoryContract(subject: ContractSubject<OutboxRepositoryUnderTest>): void {
  const serial = contractTest(subject).serial;
  const it = (title: string, body: (t: ExecutionContext, s: OutboxRepositoryUnderTest) => Promise<void>) =>
    serial(title, async (t, s) => {
      await s.reset();
      await body(t, s);
    });

  it('an enqueued email is stored pending, exactly as given', async (t, { outbox }) => {
    const email = verify('ann@example.com');
    const id = await outbox.enqueue(email, T0);
    t.deepEqual(await outbox.findById(id), {
      id,
      email,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0,
      lastError: null,
      createdAt: T0,
      sentAt: null,
    });
    t.is(await outbox.findById('not-a-uuid'), null);
    t.is(await outbox.findById('00000000-0000-4000-8000-000000000000'), null);
  });

  it('a claim counts an attempt and hides the message from other claims until the lease runs out', async (t, { outbox }) => {
    const id = await outbox.enqueue(verify('ann@example.com'), T0);
    const claimed = await outbox.claimNext(T0, at(LEASE));
    t.like(claimed, { id, status: 'pending', attempts: 1 });
    t.is(claimed?.email.to, 'ann@example.com');
    t.is(await outbox.claimNext(T0, at(LEASE)), null);
    t.is(await outbox.claimNext(at(LEASE - 1), at(2 * LEASE)), null);
    t.like(await outbox.claimNext(at(LEASE), at(2 * LEASE)), { id, attempts: 2 });
  });

  it('nothing is claimed before it is due, and the soonest due is claimed first', async (t, { outbox }) => {
    const later = await outbox.enqueue(verify('later@example.com'), at(1000));
    const second = await outbox.enqueue(verify('second@example.com'), T0);
    const first = await outbox.enqueue(verify('first@example.com'), at(-1000));
    t.is((await outbox.claimNext(T0, at(LEASE)))?.id, first);
    t.is((await outbox.claimNext(T0, at(LEASE)))?.id, second);
    t.is(await outbox.claimNext(T0, at(LEASE)), null);
    t.is((await outbox.claimNext(at(1000), at(LEASE)))?.id, later);
  });

  it('a sent message keeps its record without its link and is never claimed again', async (t, { outbox }) => {
    const id = await outbox.enqueue(verify('ann@example.com'), T0);
    await outbox.claimNext(T0, at(LEASE));
    await outbox.markSent(id, at(5));
    const stored = await outbox.findById(id);
    t.like(stored, { status: 'sent', attempts: 1, sentAt: at(5), lastError: null });
    t.deepEqual(stored?.email, { kind: 'verify-email', to: 'ann@example.com', username: 'Zoë 😀' });
    t.is(await outbox.claimNext(at(10 * LEASE), at(11 * LEASE)), null);
    await outbox.reschedule(id, T0, 'late report from a stale worker');
    t.like(await outbox.findById(id), { status: 'sent', lastError: null });
  });

  it('a rescheduled message is released with its error and claimable again from the retry time', async (t, { outbox }) => {
    const id = await outbox.enqueue(verify('ann@example.com'), T0);
    await outbox.claimNext(T0, at(LEASE));
    await outbox.reschedule(id, at(2000), 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:25');
    t.like(await outbox.findById(id), {
      status: 'pending',
      attempts: 1,
      nextAttemptAt: at(2000),
      lastError: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:25',
    });
    t.is(await outbox.claimNext(at(1999), at(LEASE)), null);
    const again = await outbox.claimNext(at(2000), at(LEASE));
    t.like(again, { id, attempts: 2 });
    t.true(again !== null && 'link' in again.email);
  });

  it('a failed message stays visible with its error, without its link, and is never claimed again', async (t, { outbox }) => {
    const id = await outbox.enqueue(verify('ann@example.com'), T0);
    await outbox.claimNext(T0, at(LEASE));
    await outbox.markFailed(id, 'EAUTH: Invalid login');
    const stored = await outbox.findById(id);
    t.like(stored, { status: 'failed', attempts: 1, lastError: 'EAUTH: Invalid login', sentAt: null });
    t.false('link' in stored!.email);
    t.is(await outbox.claimNext(at(10 * LEASE), at(11 * LEASE)), null);
  });

  it('an email enqueued in a unit of work that fails is gone with it; one that commits stays', async (t, { outbox, uow }) => {
    let rolledBack = '';
    await t.throwsAsync(
      uow.run(async ({ outbox: inTransaction }) => {
        rolledBack = await inTransaction.enqueue(verify('gone@example.com'), T0);
        throw new Error('something after the enqueue failed');
      }),
      { message: 'something after the enqueue failed' },
    );
    t.is(await outbox.findById(rolledBack), null);
    const kept = await uow.run(({ outbox: inTransaction }) => inTransaction.enqueue(verify('kept@example.com'), T0));
    t.like(await outbox.findById(kept), { status: 'pending' });
    t.is((await outbox.claimNext(T0, at(LEASE)))?.id, kept);
    t.is(await outbox.claimNext(T0, at(LEASE)), null);
  });

  it('every kind of email survives the round trip', async (t, { outbox }) => {
    const emails: Email[] = [
      verify('a@example.com'),
      { kind: 'password-reset', to: 'b@example.com', username: 'B "quoted" <tag>', link: 'http://app.test/account/reset-password?token=x%2By' },
      { kind: 'password-changed', to: 'c@example.com', username: 'C' },
    ];
    for (const email of emails) {
      const id = await outbox.enqueue(email, T0);
      t.deepEqual((await outbox.findById(id))?.email, email);
    }
  });
}
