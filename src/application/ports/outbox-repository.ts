import type { Email } from './mailer.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** An email waiting in (or gone through) the outbox. */
export interface OutboxMessage {
  id: string;
  email: Email;
  status: OutboxStatus;
  /** Delivery attempts started so far: each claim counts one, so a crash mid-send is counted too. */
  attempts: number;
  nextAttemptAt: Date;
  /** Why the last attempt failed (short, never credentials); null until one fails. */
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/**
 * Emails to deliver, stored with the change they belong to: enqueued inside a unit of work, an
 * email commits or rolls back with it. A dispatcher claims due messages one at a time and reports
 * how each attempt went.
 */
export interface OutboxRepository {
  /** Records an email to deliver from `at` on; returns its id. */
  enqueue(email: Email, at: Date): Promise<string>;
  /**
   * Claims the pending message due soonest (next attempt at or before `now`, not claimed by
   * anyone else), counts an attempt and hides it from every other claim until `leaseUntil`.
   * Null when nothing is due. Concurrent callers, in this process or another, never get the same message.
   */
  claimNext(now: Date, leaseUntil: Date): Promise<OutboxMessage | null>;
  /** The claimed message was accepted for delivery. Its link (a live credential) is no longer kept. */
  markSent(id: string, at: Date): Promise<void>;
  /** The attempt failed: the message is released, to be tried again from `retryAt`. */
  reschedule(id: string, retryAt: Date, error: string): Promise<void>;
  /** Gives up: the message stays visible as failed with its last error; its link is no longer kept. */
  markFailed(id: string, error: string): Promise<void>;
  /** Null when absent or when the id is not well-formed. */
  findById(id: string): Promise<OutboxMessage | null>;
  /** Deletes every message about that user (`email.userId`), whatever its status; returns how many. */
  deleteForUser(userId: string): Promise<number>;
}
