/** ioredis' `defineCommand`: all that koa-ratelimit's 'redis' driver asks of its `db`. */
export interface LuaCommands {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
}

/**
 * Where the HTTP rate limiters keep their counts, in the two forms koa-ratelimit's drivers take:
 * its in-process Map ('memory'), or a host on which it defines its counting Lua script ('redis'),
 * so that one request is counted by one atomic script and every instance of the app shares counts.
 * A Redis store rejects with `ServiceUnavailable`, within a bounded time, when Redis does not answer.
 */
export interface RateLimitStore {
  readonly driver: 'memory' | 'redis';
  readonly db: Map<string, unknown> | LuaCommands;
  /** Starts every key the store writes, so that apps (and tests) sharing a Redis stay apart. */
  readonly keyPrefix: string;
}
