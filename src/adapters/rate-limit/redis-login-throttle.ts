import { randomUUID } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import { ACCOUNT_CEILING_FACTOR, type LoginAttempt, type LoginThrottle, type LoginThrottleLimits } from '../../application/ports/login-throttle.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import type { RedisLuaCommands } from './redis-lua-commands.js';
import { clientIpKey, throttleDigest } from './throttle-key.js';

// Two sorted sets, attempt id → when it was counted (ms): one per account (every IP) and one per
// (account, IP). One script checks both and counts at once. Both keys share a hash tag.
const BEGIN = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local ofIp = redis.call('ZCARD', KEYS[2])
if ofIp >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
local cap = tonumber(ARGV[4])
if ofIp > 0 and redis.call('ZCARD', KEYS[1]) >= cap then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
local size = redis.call('ZCARD', KEYS[1])
if size > 4 * cap then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - 4 * cap - 1) end
return {1, 0}
`;

const SUCCEEDED = `redis.call('ZREM', KEYS[1], ARGV[1]) return redis.call('ZREM', KEYS[2], ARGV[1])`;

/** Failed logins counted in Redis, so that every instance of the app applies the same limits. Fails open. */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly accountMax: number;

  constructor(
    private readonly scripts: RedisLuaCommands,
    private readonly clock: Clock,
    private readonly limits: LoginThrottleLimits,
    private readonly keyPrefix: string,
  ) {
    this.accountMax = limits.accountMax ?? ACCOUNT_CEILING_FACTOR * limits.max;
  }

  async begin(account: string, clientIp: string): Promise<LoginAttempt> {
    const id = randomUUID();
    const args = [this.clock.now().getTime(), this.limits.windowSeconds * 1000, this.limits.max, this.accountMax, id].map(String);
    const reply = await this.failOpen(this.scripts.run(BEGIN, this.redisKeys(account, clientIp), args));
    if (reply === undefined) return { allowed: true, id };
    const [allowed, waitMs] = reply as [number, number];
    return allowed === 1 ? { allowed: true, id } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  async succeeded(account: string, clientIp: string, attemptId: string): Promise<void> {
    await this.failOpen(this.scripts.run(SUCCEEDED, this.redisKeys(account, clientIp), [attemptId]));
  }

  /** Digested: email addresses and IPs stay out of Redis, and every key has the same size. */
  private redisKeys(account: string, clientIp: string): string[] {
    const tag = `{${throttleDigest(account)}}`;
    return [`${this.keyPrefix}login-failures:${tag}`, `${this.keyPrefix}login-failures:${tag}:${throttleDigest(clientIpKey(clientIp))}`];
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
