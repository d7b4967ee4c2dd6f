import type { Logger } from '../application/ports/logger.js';

export interface TrashPurgerOptions {
  /** Purges what has waited long enough in every book's trash; answers how many contacts went. */
  purge: () => Promise<number>;
  /** How often to look. Each instance looks on its own; a look that finds nothing costs one index probe. */
  intervalMs: number;
  logger: Logger;
}

/**
 * Purges expired trash in the background, on every instance: the repository's purge is a
 * DELETE … RETURNING per book under the book's change counter, so when several instances look at
 * once each contact is purged (and its photo removed) by exactly one of them, and the others find
 * nothing. The first look comes after a random part of the interval, so replicas started together
 * do not all look at the same moment. One run at a time per process.
 */
export class TrashPurger {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: TrashPurgerOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.first = setTimeout(() => this.run(), Math.floor(Math.random() * Math.min(this.options.intervalMs, 60_000)));
    this.first.unref();
    this.timer = setInterval(() => this.run(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Looks now (unless a look is already running) and resolves when it is done. */
  async run(): Promise<void> {
    if (this.stopped) return;
    this.running ??= this.look().finally(() => (this.running = undefined));
    await this.running;
  }

  /** Stops looking; resolves once the look in flight, if any, is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.first);
    clearInterval(this.timer);
    while (this.running) await this.running;
  }

  private async look(): Promise<void> {
    try {
      const purged = await this.options.purge();
      if (purged > 0) this.options.logger.info({ purged }, 'expired trash purged');
    } catch (error) {
      // The database is down: the next look tries again.
      this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'trash purge interrupted');
    }
  }
}
