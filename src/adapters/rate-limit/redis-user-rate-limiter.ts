import type { Clock } from '../../application/ports/clock.js';
import type { LimitDecision, UserLimit, UserRateLimiter } from '../../application/ports/user-rate-limiter.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import { GCRA_LUA, limitArguments, readDecisions, userLimitKey } from './gcra.js';
import type { RedisLuaCommands } from './redis-lua-commands.js';

// KEYS: one budget per limit; ARGV: now, then interval and window per limit.
const TAKE = `${GCRA_LUA}
return take_all({}, 1, 2, tonumber(ARGV[1]))
`;

/**
 * Per-user budgets in Redis (GCRA, one key per user per limit), shared by every instance, counted by
 * one atomic script per request. Authenticated requests are normally counted by admission in the
 * same script as their session lookup (RedisAdmission); this counts the others (a cache miss).
 * Fails open through RedisLuaCommands: bounded wait, outage logged once.
 */
export class RedisUserRateLimiter implements UserRateLimiter {
  constructor(
    private readonly scripts: RedisLuaCommands,
    private readonly keyPrefix: string,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async take(userId: string, limits: readonly UserLimit[]): Promise<LimitDecision[] | null> {
    if (limits.length === 0) return [];
    const keys = limits.map((limit) => userLimitKey(this.keyPrefix, limit.name, userId));
    try {
      const reply = (await this.scripts.run(TAKE, keys, [String(this.clock.now().getTime()), ...limitArguments(limits)])) as unknown[];
      return readDecisions(limits, reply);
    } catch (error) {
      if (error instanceof ServiceUnavailable) return null;
      throw error;
    }
  }
}
