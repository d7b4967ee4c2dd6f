import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisOptions {
  url: string;
  /** Bound on connecting and on every command, so an outage costs a request this long at most. */
  timeoutMs?: number;
}

/**
 * The one Redis client of the app, shared by the user cache and the rate-limit store. Commands
 * issued while it is disconnected fail at once instead of queueing without bound; it keeps
 * reconnecting in the background, so the app uses Redis again as soon as it is back.
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
  return client;
}

/**
 * Connects without letting an absent Redis hold up the start: waits at most `waitMs` for the first
 * connection, then the client keeps trying in the background (commands meanwhile fail at once).
 */
export async function connectRedis(client: RedisClient, waitMs = 1000): Promise<void> {
  // Reconnection attempts emit 'error' every few seconds; the client's users report an outage once.
  client.on('error', () => {});
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
  });
  await Promise.race([connected, waited]).finally(() => clearTimeout(timer));
}
