import type { Clock } from '../../application/ports/clock.js';
import type { LimitDecision, UserLimit, UserRateLimiter } from '../../application/ports/user-rate-limiter.js';
import { gcraStep } from './gcra.js';

/** The budgets of a single process (no REDIS_URL): one number per user per limit, bounded in count. */
export class InMemoryUserRateLimiter implements UserRateLimiter {
  /** `<limit>\n<user>` → TAT (epoch ms). Map order is insertion order: the first is the oldest. */
  private readonly tats = new Map<string, number>();

  constructor(
    private readonly clock: Clock = { now: () => new Date() },
    private readonly maxKeys = 100_000,
  ) {}

  async take(userId: string, limits: readonly UserLimit[]): Promise<LimitDecision[]> {
    const now = this.clock.now().getTime();
    const decisions: LimitDecision[] = [];
    for (const limit of limits) {
      const key = `${limit.name}\n${userId}`;
      const { decision, tat } = gcraStep(this.tats.get(key) ?? null, now, limit);
      decisions.push(decision);
      if (tat === null) break;
      this.tats.delete(key);
      this.makeRoom(now);
      this.tats.set(key, tat);
    }
    return decisions;
  }

  /** Keys (entries) held: one per user per limit. */
  get size(): number {
    return this.tats.size;
  }

  // A TAT in the past is a whole budget, the same as no entry: those go first, then the oldest.
  private makeRoom(now: number): void {
    if (this.tats.size < this.maxKeys) return;
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
    for (const key of this.tats.keys()) {
      if (this.tats.size < this.maxKeys * 0.9) break;
      this.tats.delete(key);
    }
  }
}
