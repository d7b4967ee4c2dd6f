import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import type { LoginAttempt, LoginThrottle, LoginThrottleLimits } from '../../application/ports/login-throttle.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import type { RedisLuaCommands } from './redis-lua-commands.js';

// A sorted set per key: attempt id → when it was counted (ms). One script checks and counts at once.
const BEGIN = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`;

const SUCCEEDED = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** Failed logins counted in Redis, so that every instance of the app refuses the same email. Fails open. */
export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly scripts: RedisLuaCommands,
    private readonly clock: Clock,
    private readonly limits: LoginThrottleLimits,
    private readonly keyPrefix: string,
  ) {}

  async begin(key: string): Promise<LoginAttempt> {
    const id = randomUUID();
    const args = [this.clock.now().getTime(), this.limits.windowSeconds * 1000, this.limits.max, id].map(String);
    const reply = await this.failOpen(this.scripts.run(BEGIN, [this.redisKey(key)], args));
    if (reply === undefined) return { allowed: true, id };
    const [allowed, waitMs] = reply as [number, number];
    return allowed === 1 ? { allowed: true, id } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  async succeeded(key: string, attemptId: string): Promise<void> {
    await this.failOpen(this.scripts.run(SUCCEEDED, [this.redisKey(key)], [attemptId]));
  }

  /** Hashed: email addresses stay out of Redis. */
  private redisKey(key: string): string {
    return `${this.keyPrefix}login-failures:${createHash('sha256').update(key).digest('base64url')}`;
  }

  /** Resolves to undefined when Redis does not answer (the outage is logged by the scripts). */
  private async failOpen(call: Promise<unknown>): Promise<unknown> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof ServiceUnavailable) return undefined;
      throw error;
    }
  }
}
