import path from 'node:path';
import type { Knex } from 'knex';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Mailer } from '../../application/ports/mailer.js';
import { makeDeliverPendingEmails } from '../../application/use-cases/deliver-pending-emails.js';
import { FileOutboxMailer } from '../../adapters/mail/file-outbox-mailer.js';
import { NodemailerMailer } from '../../adapters/mail/nodemailer-mailer.js';
import { KnexOutboxRepository } from '../../adapters/persistence/knex-outbox-repository.js';
import type { Config } from '../config.js';
import { OutboxDispatcher } from '../outbox-dispatcher.js';

/** SMTP when SMTP_URL is set, else .eml files under DATA_DIR/outbox. */
export function chooseMailer(config: Config, logger: Logger): Mailer {
  return config.smtpUrl
    ? new NodemailerMailer({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: config.smtpTimeoutMs, requireTls: config.smtpRequireTls })
    : new FileOutboxMailer(path.resolve(config.dataDir, 'outbox'), config.mailFrom, logger, { logLinks: config.nodeEnv === 'development' });
}

export interface Outbox {
  /** Delivers the outbox in the background once started; `nudge()` it when an email is committed. */
  dispatcher: OutboxDispatcher;
  /** Stops the dispatcher (finishing the send in flight), then the mailer's connections. */
  close(): Promise<void>;
}

/** The background delivery of emails committed to the outbox table, not started yet. */
export function createOutbox(config: Config, deps: { knex: Knex; mailer: Mailer; clock: Clock; logger: Logger }): Outbox {
  const { mailer, clock, logger } = deps;
  const deliverPendingEmails = makeDeliverPendingEmails({
    // The dispatcher only claims and settles messages; enqueueing goes through the app's repositories.
    outbox: new KnexOutboxRepository(deps.knex),
    mailer,
    clock,
    logger,
    retry: { maxAttempts: config.outboxMaxAttempts, baseDelayMs: config.outboxRetryBaseMs, maxDelayMs: config.outboxRetryMaxMs },
    // Longer than a send can take, so another instance never picks up a message still being sent.
    leaseMs: Math.max(60_000, 10 * config.smtpTimeoutMs),
  });
  const dispatcher = new OutboxDispatcher({ deliver: deliverPendingEmails, pollIntervalMs: config.outboxPollIntervalMs, logger });
  return {
    dispatcher,
    async close() {
      await dispatcher.stop();
      if (mailer instanceof NodemailerMailer) mailer.close();
    },
  };
}
