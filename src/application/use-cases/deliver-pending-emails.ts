import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Mailer } from '../ports/mailer.js';
import type { OutboxRepository } from '../ports/outbox-repository.js';

export interface RetryPolicy {
  /** Attempts before a message is marked failed. */
  maxAttempts: number;
  /** Delay after the first failure; it doubles after each one. */
  baseDelayMs: number;
  /** The delay never grows beyond this. */
  maxDelayMs: number;
}

export interface DeliverPendingEmailsDeps {
  outbox: OutboxRepository;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  retry: RetryPolicy;
  /** How long a claimed message stays hidden from other workers: longer than any send can take. */
  leaseMs: number;
  /** In [0, 1); spreads retries so that many messages failing together do not retry together. */
  random?: () => number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

/** Longest stored error text: enough to diagnose, too short to hold a message body. */
export const MAX_ERROR_LENGTH = 500;

/**
 * Delay before the next attempt after `attempts` failed ones: exponential, capped, and jittered
 * between half and all of it.
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempts - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.max(1, Math.round(capped / 2 + (random() * capped) / 2));
}

/** A short, single-line reason, with anything shaped like URL credentials (user:pass@) removed. */
export function describeFailure(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${message}`
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

/**
 * Delivers every email of the outbox that is due, one claimed message at a time, until none is
 * left or `signal` asks to stop (the message in flight is finished first). A failed attempt is
 * retried later with backoff; after `maxAttempts` the message is marked failed and stays visible.
 */
export function makeDeliverPendingEmails(deps: DeliverPendingEmailsDeps) {
  const random = deps.random ?? Math.random;
  return async function deliverPendingEmails(options: { signal?: AbortSignal } = {}): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
    while (!options.signal?.aborted) {
      const now = deps.clock.now();
      const message = await deps.outbox.claimNext(now, new Date(now.getTime() + deps.leaseMs));
      if (!message) break;
      const about = { messageId: message.id, kind: message.email.kind, userId: message.email.userId, attempts: message.attempts };
      try {
        await deps.mailer.send(message.email);
      } catch (error) {
        const reason = describeFailure(error);
        if (message.attempts >= deps.retry.maxAttempts) {
          await deps.outbox.markFailed(message.id, reason);
          deps.logger.error({ ...about, error: reason }, 'email could not be delivered; giving up');
          report.failed += 1;
        } else {
          const retryAt = new Date(deps.clock.now().getTime() + retryDelayMs(message.attempts, deps.retry, random));
          await deps.outbox.reschedule(message.id, retryAt, reason);
          deps.logger.warn({ ...about, error: reason, retryAt: retryAt.toISOString() }, 'email could not be delivered; will retry');
          report.retried += 1;
        }
        continue;
      }
      await deps.outbox.markSent(message.id, deps.clock.now());
      report.sent += 1;
    }
    return report;
  };
}
