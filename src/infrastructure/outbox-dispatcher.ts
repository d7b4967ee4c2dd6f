import type { Logger } from '../application/ports/logger.js';
import type { DeliveryReport } from '../application/use-cases/deliver-pending-emails.js';

export interface OutboxDispatcherOptions {
  deliver: (options: { signal?: AbortSignal }) => Promise<DeliveryReport>;
  /** How often the outbox is looked at when nothing wakes the dispatcher (retries, other instances' mail). */
  pollIntervalMs: number;
  logger: Logger;
}

/**
 * Runs the delivery use-case in the background: every poll interval, and at once when nudged
 * (after a unit of work commits an email). One run at a time per process; a nudge during a run
 * makes it go round once more, so nothing committed meanwhile waits for the next tick.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: OutboxDispatcherOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.nudge(), this.options.pollIntervalMs);
    this.timer.unref();
    this.nudge();
  }

  /** Delivers what is due as soon as possible, without waiting for the next tick. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Resolves once every message due now has been attempted (failures wait for their retry time). */
  async drain(): Promise<void> {
    this.nudge();
    while (this.running) await this.running;
  }

  /** Stops polling; resolves once the send in flight, if any, is finished and recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.abort.abort();
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        const report = await this.options.deliver({ signal: this.abort.signal });
        if (report.sent + report.retried + report.failed > 0) this.options.logger.info({ ...report }, 'outbox delivered');
      } catch (error) {
        // The database is down or the outbox could not be updated: the next tick tries again.
        this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'outbox delivery interrupted');
        return;
      }
    } while (this.again && !this.stopped);
  }
}
