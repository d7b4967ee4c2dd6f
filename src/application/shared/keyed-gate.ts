/**
 * Admits tasks so that at most `limit` run at once and those of one key run one at a time, each key's
 * in the order they came. A task that cannot start waits here, in memory, holding nothing else; a
 * waiting task whose key is free starts before earlier ones whose key is busy, so one key's queue
 * never holds up the others. A task's end, failed or not, lets the next one in.
 */
export class KeyedGate {
  private running = 0;
  /** Keys with a task running: never more than `limit`. */
  private readonly busy = new Set<string>();
  /** Tasks admitted to nothing yet, oldest first. */
  private readonly waiting: { key: string; start: () => void }[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a gate admits at least one task at once, not ${limit}`);
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.waiting.push({ key, start });
      this.admit();
    });
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.busy.delete(key);
      this.admit();
    }
  }

  /** Starts every waiting task, oldest first, whose key is free, while there is room. */
  private admit(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.limit; ) {
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
