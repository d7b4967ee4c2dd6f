import type { RateLimitStore } from './rate-limit-store.js';
import type { RedisLuaCommands } from './redis-lua-commands.js';

/** Counts in Redis, shared by every instance of the app; koa-ratelimit runs its Lua script through `db`. */
export class RedisRateLimitStore implements RateLimitStore {
  readonly driver = 'redis';

  constructor(
    readonly db: RedisLuaCommands,
    readonly keyPrefix: string,
  ) {}
}
