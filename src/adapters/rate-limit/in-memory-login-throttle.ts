import { randomUUID } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import { ACCOUNT_CEILING_FACTOR, type LoginAttempt, type LoginThrottle, type LoginThrottleLimits } from '../../application/ports/login-throttle.js';
import { clientIpKey, throttleDigest } from './throttle-key.js';

/** Attempt id → when it was counted (ms) and the digest of its IP. Insertion order: the first is the oldest. */
type Attempts = Map<string, { at: number; ip: string }>;

/**
 * The counts of a single process: used when no REDIS_URL is set. Bounded: at most `maxAccounts`
 * accounts (keyed by digest; those whose attempts all left the window go first, then the oldest),
 * and per account at most 4 × accountMax attempts (the oldest go first).
 */
export class InMemoryLoginThrottle implements LoginThrottle {
  private readonly attempts = new Map<string, Attempts>();
  private readonly accountMax: number;

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginThrottleLimits,
    private readonly maxAccounts = 100_000,
  ) {
    this.accountMax = limits.accountMax ?? ACCOUNT_CEILING_FACTOR * limits.max;
  }

  /** How many accounts are tracked (for tests of the bound). */
  get size(): number {
    return this.attempts.size;
  }

  async begin(account: string, clientIp: string): Promise<LoginAttempt> {
    const now = this.clock.now().getTime();
    const windowMs = this.limits.windowSeconds * 1000;
    const key = throttleDigest(account);
    const ip = throttleDigest(clientIpKey(clientIp));
    let counted = this.attempts.get(key);
    if (counted) {
      for (const [id, attempt] of counted) {
        if (attempt.at > now - windowMs) break;
        counted.delete(id);
      }
    } else {
      this.makeRoom(now - windowMs);
      counted = new Map();
      this.attempts.set(key, counted);
    }
    let oldestOfIp: number | undefined;
    let ofIp = 0;
    for (const attempt of counted.values()) {
      if (attempt.ip !== ip) continue;
      oldestOfIp ??= attempt.at;
      ofIp += 1;
    }
    const wait = (oldest: number) => ({ allowed: false as const, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) });
    if (ofIp >= this.limits.max) return wait(oldestOfIp!);
    if (ofIp > 0 && counted.size >= this.accountMax) return wait(counted.values().next().value!.at);
    const id = randomUUID();
    counted.set(id, { at: now, ip });
    while (counted.size > 4 * this.accountMax) counted.delete(counted.keys().next().value!);
    return { allowed: true, id };
  }

  async succeeded(account: string, _clientIp: string, attemptId: string): Promise<void> {
    this.attempts.get(throttleDigest(account))?.delete(attemptId);
  }

  private makeRoom(windowStart: number): void {
    if (this.attempts.size < this.maxAccounts) return;
    for (const [key, counted] of this.attempts) {
      if ([...counted.values()].every((attempt) => attempt.at <= windowStart)) this.attempts.delete(key);
    }
    for (const key of this.attempts.keys()) {
      if (this.attempts.size < this.maxAccounts * 0.9) break;
      this.attempts.delete(key);
    }
  }
}
