import PQueue from 'p-queue';
import type { BackgroundTasks } from '../../application/ports/background-tasks.js';
import type { Logger } from '../../application/ports/logger.js';
import { ServiceUnavailable } from '../../domain/errors.js';

/**
 * An in-process queue (p-queue: concurrency and idle tracking, so no hand-made scheduler) of
 * bounded length. Work starts on the next turn of the event loop (setImmediate), after the response
 * in hand has been written: otherwise its first synchronous steps (an embedded PGlite query runs on
 * this thread) would still delay the answer. `drain()` waits until nothing is waiting, queued or
 * running; `close()` refuses new work and drains, for a graceful shutdown.
 */
export class PQueueBackgroundTasks implements BackgroundTasks {
  private readonly queue: PQueue;
  private closed = false;
  /** Accepted, not yet handed to the queue (waiting for setImmediate). */
  private scheduled = 0;

  constructor(
    private readonly logger: Logger,
    private readonly options: { concurrency: number; maxQueued: number } = { concurrency: 4, maxQueued: 1000 },
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  run(name: string, work: () => Promise<void>): void {
    if (this.closed || this.queue.size + this.scheduled >= this.options.maxQueued) throw new ServiceUnavailable('background tasks', 1);
    this.scheduled += 1;
    setImmediate(() => {
      this.scheduled -= 1;
      void this.queue.add(async () => {
        try {
          await work();
        } catch (error) {
          this.logger.error({ err: error, task: name }, 'background task failed');
        }
      });
    });
  }

  /** Queued and running tasks. */
  get pending(): number {
    return this.scheduled + this.queue.size + this.queue.pending;
  }

  async drain(): Promise<void> {
    while (this.pending > 0) {
      if (this.scheduled > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await this.queue.onIdle();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }
}
