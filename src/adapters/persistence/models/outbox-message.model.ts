import { Model } from 'objection';
import type { Email } from '../../../application/ports/mailer.js';
import type { OutboxStatus } from '../../../application/ports/outbox-repository.js';

export class OutboxMessageModel extends Model {
  static override tableName = 'email_outbox';
  static override jsonAttributes = ['payload'];
  id!: string;
  payload!: Email;
  status!: OutboxStatus;
  attempts!: number;
  nextAttemptAt!: Date;
  lockedUntil!: Date | null;
  lastError!: string | null;
  createdAt!: Date;
  sentAt!: Date | null;
}
