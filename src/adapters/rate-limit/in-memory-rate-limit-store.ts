import type { RateLimitStore } from './rate-limit-store.js';
import { throttleDigest } from './throttle-key.js';

/** koa-ratelimit's memory driver keeps `{ reset (epoch seconds), remaining, total }` per key. */
interface Count {
  reset: number;
}

/**
 * koa-ratelimit's Map never forgets a key; this one stays bounded: when full, it drops the counts
 * whose window has ended, then the oldest ones (those clients start a fresh window: never a refusal).
 * Keys (a namespace and a client IP or user id) are kept as fixed-size digests, and the raw id the
 * driver stores in each count is replaced by that digest, so no input's size reaches memory.
 */
class BoundedCounts extends Map<string, Count & { id?: unknown }> {
  constructor(private readonly maxKeys: number) {
    super();
  }

  override get(key: string) {
    return super.get(throttleDigest(key));
  }

  override has(key: string): boolean {
    return super.has(throttleDigest(key));
  }

  override delete(key: string): boolean {
    return super.delete(throttleDigest(key));
  }

  override set(key: string, value: Count & { id?: unknown }): this {
    const digest = throttleDigest(key);
    if (this.size >= this.maxKeys && !super.has(digest)) this.makeRoom();
    value.id = digest;
    return super.set(digest, value);
  }

  private makeRoom(): void {
    const now = Date.now() / 1000;
    for (const [digest, count] of this) if (count.reset <= now) super.delete(digest);
    for (const digest of this.keys()) {
      if (this.size < this.maxKeys * 0.9) break;
      super.delete(digest);
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
