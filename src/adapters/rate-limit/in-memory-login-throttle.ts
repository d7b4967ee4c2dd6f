import { randomUUID } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import type { LoginAttempt, LoginThrottle, LoginThrottleLimits } from '../../application/ports/login-throttle.js';

/** The counts of a single process: used when no REDIS_URL is set. */
export class InMemoryLoginThrottle implements LoginThrottle {
  /** key → attempt id → when it was counted (ms). Map order is insertion order, so the first is the oldest. */
  private readonly attempts = new Map<string, Map<string, number>>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginThrottleLimits,
    private readonly maxKeys = 100_000,
  ) {}

  async begin(key: string): Promise<LoginAttempt> {
    const now = this.clock.now().getTime();
    const windowMs = this.limits.windowSeconds * 1000;
    let counted = this.attempts.get(key);
    if (counted) {
      for (const [id, at] of counted) if (at <= now - windowMs) counted.delete(id);
    } else {
      this.makeRoom(now - windowMs);
      counted = new Map();
      this.attempts.set(key, counted);
    }
    if (counted.size >= this.limits.max) {
      const oldest = counted.values().next().value as number;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) };
    }
    const id = randomUUID();
    counted.set(id, now);
    return { allowed: true, id };
  }

  async succeeded(key: string, attemptId: string): Promise<void> {
    this.attempts.get(key)?.delete(attemptId);
  }

  // Bounded: keys whose attempts have all left the window go first, then the oldest keys.
  private makeRoom(windowStart: number): void {
    if (this.attempts.size < this.maxKeys) return;
    for (const [key, counted] of this.attempts) {
      if ([...counted.values()].every((at) => at <= windowStart)) this.attempts.delete(key);
    }
    for (const key of this.attempts.keys()) {
      if (this.attempts.size < this.maxKeys * 0.9) break;
      this.attempts.delete(key);
    }
  }
}
