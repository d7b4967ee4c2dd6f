import type { RateLimitStore } from './rate-limit-store.js';

/** koa-ratelimit's memory driver keeps `{ reset (epoch seconds), remaining, total }` per key. */
interface Count {
  reset: number;
}

/**
 * koa-ratelimit's Map never forgets a key; this one stays bounded: when full, it drops the counts
 * whose window has ended, then the oldest ones (those clients start a fresh window: never a refusal).
 */
class BoundedCounts extends Map<string, Count> {
  constructor(private readonly maxKeys: number) {
    super();
  }

  override set(key: string, value: Count): this {
    if (this.size >= this.maxKeys && !this.has(key)) this.makeRoom();
    return super.set(key, value);
  }

  private makeRoom(): void {
    const now = Date.now() / 1000;
    for (const [key, count] of this) if (count.reset <= now) this.delete(key);
    for (const key of this.keys()) {
      if (this.size < this.maxKeys * 0.9) break;
      this.delete(key);
    }
  }
}

/** The counts of a single process: used when no REDIS_URL is set. */
export class InMemoryRateLimitStore implements RateLimitStore {
  readonly driver = 'memory';
  readonly db: Map<string, unknown>;
  readonly keyPrefix = '';

  constructor(maxKeys = 100_000) {
    this.db = new BoundedCounts(maxKeys) as Map<string, unknown>;
  }
}
