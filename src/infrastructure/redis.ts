import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import type { Logger } from '../application/ports/logger.js';
import { withTimeout } from '../adapters/with-timeout.js';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisOptions {
  url: string;
  /** Bound on connecting and on every command, so an outage costs a request this long at most. */
  timeoutMs?: number;
  /** Told once when Redis stops answering and once when it is back, never per failed attempt. */
  logger?: Logger;
}

/** How long a command may take before its caller treats Redis as unavailable. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * The one Redis client of the app, shared by the user cache and the rate-limit store. Commands
 * issued while it is disconnected fail at once instead of queueing without bound (callers also
 * race each command against a timer: a command already written to a silent socket is not bounded
 * by node-redis); it keeps reconnecting in the background, so the app uses Redis again as soon as
 * it is back. Not connected yet: see connectRedis.
 */
export function createRedisClient(options: RedisOptions): RedisClient {
  const timeout = options.timeoutMs ?? 1000;
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeout,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000),
    },
  });

  // Without an 'error' listener node-redis would crash the process on the first lost connection.
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    options.logger?.warn({ err: { message: error.message } }, 'Redis is unreachable; reconnecting in the background');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    options.logger?.info({}, 'Redis answers again');
  });
  return client;
}

/**
 * Starts connecting and waits at most `waitMs` (or until the first failure) for the connection, so
 * a start while Redis is down is delayed by that much at most. Reconnection goes on in the background.
 * Resolves whether the client is ready.
 */
export async function connectRedis(client: RedisClient, waitMs = 1000): Promise<boolean> {
  const abort = new AbortController();
  const connecting = client.connect().then(
    () => true,
    () => false,
  );
  const failed = once(client, 'error', { signal: abort.signal }).then(
    () => false,
    () => false,
  );
  const timedOut = sleep(waitMs, false, { signal: abort.signal }).catch(() => false);
  await Promise.race([connecting, failed, timedOut]);
  abort.abort();
  return client.isReady;
}

/** Lets pending commands finish for up to `waitMs`, then drops the connection; stops reconnecting. */
export async function closeRedisClient(client: RedisClient, waitMs = 1000): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) {
    client.destroy();
    return;
  }
  const closing = client.close().then(() => true);
  const closed = await Promise.race([closing, sleep(waitMs, false)]);
  if (!closed) client.destroy();
}

/** For /ready: resolves when Redis answers a PING within `timeoutMs`, rejects otherwise. */
export async function pingRedis(client: RedisClient, timeoutMs = REDIS_COMMAND_TIMEOUT_MS): Promise<void> {
  await withTimeout(client.ping(), timeoutMs, `Redis did not answer within ${timeoutMs} ms`);
}
