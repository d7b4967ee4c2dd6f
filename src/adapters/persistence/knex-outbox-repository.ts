import type { Knex } from 'knex';
import { raw } from 'objection';
import type { Email } from '../../application/ports/mailer.js';
import type { OutboxMessage, OutboxRepository } from '../../application/ports/outbox-repository.js';
import { OutboxMessageModel } from './models/outbox-message.model.js';
import { isUuid } from './pg-errors.js';

function toMessage(row: OutboxMessageModel | undefined): OutboxMessage | null {
  if (!row) return null;
  return {
    id: row.id,
    email: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: new Date(row.nextAttemptAt),
    lastError: row.lastError,
    createdAt: new Date(row.createdAt),
    sentAt: row.sentAt ? new Date(row.sentAt) : null,
  };
}

/** Drops the link from a settled message's payload: it is a live credential, stored nowhere else in clear. */
const withoutLink = () => raw(`payload - 'link'`);

export class KnexOutboxRepository implements OutboxRepository {
  /**
   * @param onEnqueue called after each enqueue; the unit of work uses it to wake the dispatcher
   *   once the transaction has committed.
   */
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly onEnqueue?: () => void,
  ) {}

  async enqueue(email: Email, at: Date): Promise<string> {
    const row = await OutboxMessageModel.query(this.db)
      .insert({ payload: email, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at })
      .returning('id');
    this.onEnqueue?.();
    return (row as unknown as { id: string }).id;
  }

  async claimNext(now: Date, leaseUntil: Date): Promise<OutboxMessage | null> {
    // SKIP LOCKED: a concurrent claim passes over the row another worker is claiming instead of
    // waiting for it; the lease then keeps it hidden while that worker sends.
    const due = OutboxMessageModel.query(this.db)
      .select('id')
      .where('status', 'pending')
      .where('nextAttemptAt', '<=', now)
      .where((q) => q.whereNull('lockedUntil').orWhere('lockedUntil', '<=', now))
      .orderBy([{ column: 'nextAttemptAt' }, { column: 'createdAt' }])
      .limit(1)
      .forUpdate()
      .skipLocked();
    const rows = await OutboxMessageModel.query(this.db)
      .patch({ attempts: raw('attempts + 1') as unknown as number, lockedUntil: leaseUntil })
      .whereIn('id', due)
      .returning('*');
    return toMessage((rows as unknown as OutboxMessageModel[])[0]);
  }

  async markSent(id: string, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    await OutboxMessageModel.query(this.db)
      .patch({ status: 'sent', sentAt: at, lockedUntil: null, payload: withoutLink() as unknown as Email })
      .where({ id, status: 'pending' });
  }

  async reschedule(id: string, retryAt: Date, error: string): Promise<void> {
    if (!isUuid(id)) return;
    await OutboxMessageModel.query(this.db).patch({ nextAttemptAt: retryAt, lastError: error, lockedUntil: null }).where({ id, status: 'pending' });
  }

  async markFailed(id: string, error: string): Promise<void> {
    if (!isUuid(id)) return;
    await OutboxMessageModel.query(this.db)
      .patch({ status: 'failed', lastError: error, lockedUntil: null, payload: withoutLink() as unknown as Email })
      .where({ id, status: 'pending' });
  }

  async findById(id: string): Promise<OutboxMessage | null> {
    if (!isUuid(id)) return null;
    return toMessage(await OutboxMessageModel.query(this.db).findById(id));
  }

  async deleteForUser(userId: string): Promise<number> {
    if (!isUuid(userId)) return 0;
    const deleted = await OutboxMessageModel.query(this.db).delete().whereRaw(`payload->>'userId' = ?`, [userId]).returning('id');
    return (deleted as unknown as unknown[]).length;
  }
}
