import { ServiceUnavailable } from '../../domain/errors.js';

export interface KeyedGateOptions {
  /** What the gate guards, named in the ServiceUnavailable a refused task gets. */
  service: string;
  /** Tasks running at once, of all keys. */
  atOnce: number;
  /** Tasks waiting at once; one more is refused at once. */
  maxWaiting: number;
  /** The longest a task waits to start before it is refused. */
  maxWaitMs: number;
}

/**
 * Admits tasks so that at most `atOnce` run at once and those of one key run one at a time, each key's
 * in the order they came. A task that cannot start waits here, in memory, holding nothing else; a
 * waiting task whose key is free starts before earlier ones whose key is busy, so one key's queue
 * never holds up the others. A task's end, failed or not, lets the next one in. The queue is bounded
 * and so is the wait: past either, the task is refused with ServiceUnavailable (503, Retry-After).
 */
export class KeyedGate {
  private running = 0;
  /** Keys with a task running: never more than `atOnce`. */
  private readonly busy = new Set<string>();
  /** Tasks admitted to nothing yet, oldest first. */
  private readonly waiting: { key: string; start: () => void }[] = [];

  constructor(private readonly options: KeyedGateOptions) {
    const { atOnce, maxWaiting, maxWaitMs } = options;
    if (!Number.isInteger(atOnce) || atOnce < 1) throw new RangeError(`a gate admits at least one task at once, not ${atOnce}`);
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0 || !(maxWaitMs > 0)) throw new RangeError('a gate needs a bounded queue and wait');
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.turn(key);
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.busy.delete(key);
      this.admit();
    }
  }

  /** Resolves when the task may start; rejects when the queue is full or the wait too long. */
  private turn(key: string): Promise<void> {
    const refused = () => new ServiceUnavailable(this.options.service, Math.ceil(this.options.maxWaitMs / 1000));
    if (this.waiting.length >= this.options.maxWaiting && (this.running >= this.options.atOnce || this.busy.has(key))) {
      return Promise.reject(refused());
    }
    return new Promise<void>((start, refuse) => {
      const entry = {
        key,
        start: () => {
          clearTimeout(timer);
          start();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        refuse(refused());
      }, this.options.maxWaitMs);
      this.waiting.push(entry);
      this.admit();
    });
  }

  /** Starts every waiting task, oldest first, whose key is free, while there is room. */
  private admit(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.options.atOnce; ) {
      const next = this.waiting[i]!;
      if (this.busy.has(next.key)) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      this.running += 1;
      this.busy.add(next.key);
      next.start();
    }
  }
}
