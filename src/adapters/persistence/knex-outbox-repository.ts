import type { Knex } from 'knex';
import type { Email } from '../../application/ports/mailer.js';
import type { OutboxMessage, OutboxRepository, OutboxStatus } from '../../application/ports/outbox-repository.js';
import { isUuid } from './pg-errors.js';

/** A row of `email_outbox` as knex returns it (camelCase keys, see snakeCaseMappers). */
interface OutboxRow {
  id: string;
  payload: Email;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

function toMessage(row: OutboxRow | undefined): OutboxMessage | null {
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

/** The outbox of emails through the knex query builder. */
export class KnexOutboxRepository implements OutboxRepository {
  /**
   * @param onEnqueue called after each enqueue; the unit of work uses it to wake the dispatcher
   *   once the transaction has committed.
   */
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly onEnqueue?: () => void,
  ) {}

  private get messages() {
    return this.db<OutboxRow>('email_outbox');
  }

  /** Drops the link from a settled message's payload: it is a live credential, stored nowhere else in clear. */
  private withoutLink(): Knex.Raw {
    return this.db.raw(`payload - 'link'`);
  }

  async enqueue(email: Email, at: Date): Promise<string> {
    const [row] = await this.messages
      .insert({ payload: JSON.stringify(email) as unknown as Email, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at })
      .returning('id');
    this.onEnqueue?.();
    return row!.id;
  }

  async claimNext(now: Date, leaseUntil: Date): Promise<OutboxMessage | null> {
    // SKIP LOCKED: a concurrent claim passes over the row another worker is claiming instead of
    // waiting for it; the lease then keeps it hidden while that worker sends.
    const due = this.messages
      .select('id')
      .where('status', 'pending')
      .where('nextAttemptAt', '<=', now)
      .where((q) => q.whereNull('lockedUntil').orWhere('lockedUntil', '<=', now))
      .orderBy([{ column: 'nextAttemptAt' }, { column: 'createdAt' }])
      .limit(1)
      .forUpdate()
      .skipLocked();
    const [row] = await this.messages
      .update({ attempts: this.db.raw('attempts + 1'), lockedUntil: leaseUntil })
      .whereIn('id', due)
      .returning('*');
    return toMessage(row as OutboxRow | undefined);
  }

  async markSent(id: string, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.messages.update({ status: 'sent', sentAt: at, lockedUntil: null, payload: this.withoutLink() }).where({ id, status: 'pending' });
  }

  async reschedule(id: string, retryAt: Date, error: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.messages.update({ nextAttemptAt: retryAt, lastError: error, lockedUntil: null }).where({ id, status: 'pending' });
  }

  async markFailed(id: string, error: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.messages.update({ status: 'failed', lastError: error, lockedUntil: null, payload: this.withoutLink() }).where({ id, status: 'pending' });
  }

  async findById(id: string): Promise<OutboxMessage | null> {
    if (!isUuid(id)) return null;
    return toMessage(await this.messages.where('id', id).first());
  }

  async deleteForUser(userId: string): Promise<number> {
    if (!isUuid(userId)) return 0;
    const deleted = await this.messages.whereRaw(`payload->>'userId' = ?`, [userId]).delete().returning('id');
    return deleted.length;
  }
}
