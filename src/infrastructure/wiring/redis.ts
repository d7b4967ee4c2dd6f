import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Admission } from '../../application/ports/admission.js';
import type { LoginThrottle } from '../../application/ports/login-throttle.js';
import type { UserCache } from '../../application/ports/user-cache.js';
import type { UserRateLimiter } from '../../application/ports/user-rate-limiter.js';
import { InMemoryAdmission } from '../../adapters/cache/in-memory-admission.js';
import { InMemoryUserCache } from '../../adapters/cache/in-memory-user-cache.js';
import { RedisAdmission } from '../../adapters/cache/redis-admission.js';
import { RedisUserCache } from '../../adapters/cache/redis-user-cache.js';
import type { HealthCheck } from '../../adapters/http/routes/operations.routes.js';
import { InMemoryLoginThrottle } from '../../adapters/rate-limit/in-memory-login-throttle.js';
import { InMemoryRateLimitStore } from '../../adapters/rate-limit/in-memory-rate-limit-store.js';
import type { RateLimitStore } from '../../adapters/rate-limit/rate-limit-store.js';
import { RedisLoginThrottle } from '../../adapters/rate-limit/redis-login-throttle.js';
import { RedisLuaCommands } from '../../adapters/rate-limit/redis-lua-commands.js';
import { RedisRateLimitStore } from '../../adapters/rate-limit/redis-rate-limit-store.js';
import { InMemoryUserRateLimiter } from '../../adapters/rate-limit/in-memory-user-rate-limiter.js';
import { RedisUserRateLimiter } from '../../adapters/rate-limit/redis-user-rate-limiter.js';
import type { Config } from '../config.js';
import { closeRedisClient, connectRedis, createRedisClient, pingRedis } from '../redis.js';

/** What every instance shares through Redis when REDIS_URL is set, or keeps in this process without it. */
export interface SharedState {
  cache: UserCache;
  /** The session check and per-user limits of authenticated requests, over `cache` and `userLimiter`. */
  admission: Admission;
  rateLimitStore: RateLimitStore;
  /** The per-user budgets (contacts), for requests counted outside admission. */
  userLimiter: UserRateLimiter;
  loginThrottle: LoginThrottle;
  /** For /ready: Redis when configured, else none. */
  healthChecks: HealthCheck[];
  close(): Promise<void>;
}

export interface SharedStateOptions {
  logger: Logger;
  clock: Clock;
  /** Start of every Redis key the app writes. */
  keyPrefix: string;
  /** A cache to use instead of the one the config selects. */
  cache?: UserCache;
}

/**
 * One Redis client for the whole app. A start while Redis is down waits about a second, then goes
 * on without it: the client reconnects in the background and the cache resynchronises before the
 * first request when Redis answers, otherwise as soon as it does.
 */
export async function openSharedState(config: Config, options: SharedStateOptions): Promise<SharedState> {
  const { logger, clock, keyPrefix } = options;
  const loginFailures = { max: config.rateLimitLoginFailuresMax, windowSeconds: config.rateLimitAuthWindowS };
  if (!config.redisUrl) {
    const cache = options.cache ?? new InMemoryUserCache(config.userCacheTtlS);
    const userLimiter = new InMemoryUserRateLimiter(clock);
    return {
      cache,
      admission: new InMemoryAdmission(cache, userLimiter),
      rateLimitStore: new InMemoryRateLimitStore(),
      userLimiter,
      loginThrottle: new InMemoryLoginThrottle(clock, loginFailures),
      healthChecks: [],
      close: async () => {},
    };
  }
  const redis = createRedisClient({ url: config.redisUrl, logger, timeoutMs: config.redisTimeoutMs });
  await connectRedis(redis);
  const luaCommands = new RedisLuaCommands(redis, logger, { timeoutMs: config.redisTimeoutMs });
  const userLimiter = new RedisUserRateLimiter(luaCommands, keyPrefix, clock);
  let cache: UserCache;
  let admission: Admission;
  if (options.cache) {
    cache = options.cache;
    admission = new InMemoryAdmission(cache, userLimiter);
  } else {
    const redisCache = new RedisUserCache(redis, {
      ttlSeconds: config.userCacheTtlS,
      keyPrefix: `${keyPrefix}auth:`,
      logger,
      commandTimeoutMs: config.redisTimeoutMs,
    });
    await redisCache.resync();
    cache = redisCache;
    // The session check and the per-user limits in one script: one round trip per request.
    admission = new RedisAdmission(redisCache, userLimiter, { scripts: luaCommands, keyPrefix, clock });
  }
  return {
    cache,
    admission,
    rateLimitStore: new RedisRateLimitStore(luaCommands, keyPrefix),
    userLimiter,
    loginThrottle: new RedisLoginThrottle(luaCommands, clock, loginFailures, keyPrefix),
    healthChecks: [{ name: 'redis', check: () => pingRedis(redis, config.redisTimeoutMs) }],
    close: () => closeRedisClient(redis),
  };
}
