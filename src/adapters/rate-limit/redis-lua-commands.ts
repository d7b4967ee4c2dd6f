import type { Logger } from '../../application/ports/logger.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import { withTimeout } from '../with-timeout.js';
import type { LuaCommands } from './rate-limit-store.js';

/** What this adapter uses of the app's node-redis client. */
export interface ScriptingClient {
  scriptLoad(script: string): Promise<string>;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisLuaCommandsOptions {
  /** Longest wait for an answer; past it the call fails (and the limit is not enforced). */
  timeoutMs?: number;
  /** After a failure, calls fail at once for this long instead of each waiting for the timeout. */
  pauseMs?: number;
}

/**
 * Runs the rate limiters' Lua scripts on the app's node-redis client, each call one atomic script:
 * EVALSHA of a script loaded once with SCRIPT LOAD, and EVAL when Redis has forgotten it (NOSCRIPT,
 * after a restart), which loads it again. `defineCommand` gives koa-ratelimit the ioredis method it
 * expects. When Redis does not answer within `timeoutMs`, a call rejects with ServiceUnavailable;
 * the outage is logged once, not per request, and its end once.
 */
export class RedisLuaCommands implements LuaCommands {
  private readonly shas = new Map<string, string>();
  private readonly timeoutMs: number;
  private readonly pauseMs: number;
  private down = false;
  private pausedUntil = 0;

  constructor(
    private readonly client: ScriptingClient,
    private readonly logger: Logger,
    options: RedisLuaCommandsOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 500;
    this.pauseMs = options.pauseMs ?? 1000;
  }

  defineCommand(name: string, { numberOfKeys, lua }: { numberOfKeys: number; lua: string }): void {
    const command = (...args: unknown[]) => this.run(lua, args.slice(0, numberOfKeys).map(String), args.slice(numberOfKeys).map(String));
    Object.defineProperty(this, name, { value: command, configurable: true });
  }

  async run(lua: string, keys: string[], args: string[]): Promise<unknown> {
    if (Date.now() < this.pausedUntil) throw new ServiceUnavailable('redis');
    try {
      const result = await withTimeout(this.evaluate(lua, keys, args), this.timeoutMs, `Redis did not answer within ${this.timeoutMs} ms`);
      this.answered();
      return result;
    } catch (error) {
      this.failed(error);
      throw new ServiceUnavailable('redis');
    }
  }

  private async evaluate(lua: string, keys: string[], args: string[]): Promise<unknown> {
    let sha = this.shas.get(lua);
    if (sha === undefined) {
      sha = await this.client.scriptLoad(lua);
      this.shas.set(lua, sha);
    }
    try {
      return await this.client.evalSha(sha, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(lua, { keys, arguments: args });
    }
  }

  private failed(error: unknown): void {
    this.pausedUntil = Date.now() + this.pauseMs;
    if (this.down) return;
    this.down = true;
    this.logger.warn({ err: error, service: 'redis' }, 'rate-limit store unreachable: limits are not enforced (fail open) until Redis answers again');
  }

  private answered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info({ service: 'redis' }, 'rate-limit store answers again: limits are enforced');
  }
}
