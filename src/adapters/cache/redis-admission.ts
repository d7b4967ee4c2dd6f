import type { Admission, Admitted, SessionClaims } from '../../application/ports/admission.js';
import type { Clock } from '../../application/ports/clock.js';
import type { LimitDecision, UserLimit, UserRateLimiter } from '../../application/ports/user-rate-limiter.js';
import { GCRA_LUA, limitArguments, readDecisions, userLimitKey } from '../rate-limit/gcra.js';
import type { RedisLuaCommands } from '../rate-limit/redis-lua-commands.js';
import type { RedisUserCache } from './redis-user-cache.js';

export interface RedisAdmissionOptions {
  /** Runs the script (bounded wait, outage logged once); the same runner as the limiter's. */
  scripts: RedisLuaCommands;
  /** The limiter's key prefix: the budgets are the ones RedisUserRateLimiter counts. */
  keyPrefix: string;
  clock?: Clock;
}

// KEYS: generation, user, session (RedisUserCache.readWith), then one budget per limit. ARGV:
// generation, token version, now, then interval and window per limit. Counts only a request that
// authentication will accept from the cache (user cached with the token's version, session live),
// so a revoked token spends nothing. The version is found as text rather than by decoding the
// entry: in JSON a quote inside a string is escaped, so '"tokenVersion":' can only be the key, and
// the entry is flat; the ',' or '}' after the number keeps 1 from matching 12.
const ADMIT = `${GCRA_LUA}
local held = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])
if held[1] ~= ARGV[1] then return {0, held[1] or ''} end
local user = held[2] or ''
local session = held[3] or ''
local reply = {1, user, session}
if session ~= '1' then return reply end
local version = '"tokenVersion":' .. ARGV[2]
if not (string.find(user, version .. '}', 1, true) or string.find(user, version .. ',', 1, true)) then return reply end
return take_all(reply, 4, 4, tonumber(ARGV[3]))
`;

/**
 * Admission shared by every instance: the user cache's session read and the per-user budgets
 * counted by one Lua script, one round trip per request (docs/decisions/admission.md). The
 * generation rules of the cache (docs/decisions/user-cache-revocation.md) hold for this read as
 * for a get: it runs through RedisUserCache.readWith. A request the cache cannot admit is counted
 * by the limiter once the database has (`count`).
 */
export class RedisAdmission implements Admission {
  private readonly clock: Clock;

  constructor(
    private readonly cache: RedisUserCache,
    private readonly limiter: UserRateLimiter,
    private readonly options: RedisAdmissionOptions,
  ) {
    this.clock = options.clock ?? { now: () => new Date() };
  }

  async admit(claims: SessionClaims, limits: readonly UserLimit[]): Promise<Admitted> {
    if (limits.length === 0) return { ...(await this.cache.get(claims.userId, claims.sessionId)), decisions: null };
    const budgets = limits.map((limit) => userLimitKey(this.options.keyPrefix, limit.name, claims.userId));
    const { cached, rest } = await this.cache.readWith(claims.userId, claims.sessionId, (generation, keys) =>
      this.options.scripts.run(
        ADMIT,
        [...keys, ...budgets],
        [generation, String(claims.tokenVersion), String(this.clock.now().getTime()), ...limitArguments(limits)],
      ),
    );
    return { ...cached, decisions: rest.length > 0 ? readDecisions(limits, rest) : null };
  }

  count(userId: string, limits: readonly UserLimit[]): Promise<LimitDecision[] | null> {
    return this.limiter.take(userId, limits);
  }
}
