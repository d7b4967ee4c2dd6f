import { randomBytes } from 'node:crypto';
import { InMemoryUserCache } from '../../../src/adapters/cache/in-memory-user-cache.js';
import { RedisUserCache } from '../../../src/adapters/cache/redis-user-cache.js';
import type { UserCache } from '../../../src/application/ports/user-cache.js';
import { closeRedisClient, connectRedis, createRedisClient } from '../../../src/infrastructure/redis.js';
import type { ContractSubject } from '../../contracts/harness.js';
import { type UserCachesUnderTest, userCacheContract } from '../../contracts/user-cache.contract.js';
import { CapturingLogger } from '../../fakes/fakes.js';
import { TEST_REDIS_URL } from '../../helpers/databases.js';
import { redisAvailable } from '../../helpers/databases.js';
import { deleteKeys } from '../../helpers/redis-servers.js';

/**
 * A subject whose test may open several caches (with a TTL each), or two on one store; all are
 * closed after the test. `make` is given the store to share, or none for a store of its own.
 */
function caches<Store>(
  name: string,
  available: () => Promise<boolean>,
  make: (ttlSeconds: number, store?: Store) => Promise<{ cache: UserCache; store: Store; close(): Promise<void> }>,
  reconnect: (cache: UserCache) => Promise<void>,
): ContractSubject<UserCachesUnderTest> {
  return {
    name,
    available,
    async open() {
      const opened: { close(): Promise<void> }[] = [];
      return {
        async open(ttlSeconds) {
          const made = await make(ttlSeconds);
          opened.push(made);
          return made.cache;
        },
        async openPair(ttlSeconds) {
          const first = await make(ttlSeconds);
          opened.push(first);
          const second = await make(ttlSeconds, first.store);
          opened.push(second);
          return [first.cache, second.cache];
        },
        reconnect,
        async close() {
          for (const made of opened) await made.close();
        },
      };
    },
    close: (opened) => opened.close(),
  };
}

userCacheContract(
  caches(
    'in-memory',
    async () => true,
    // One process has one in-process cache: the "two instances" are the same one.
    async (ttlSeconds, store?: InMemoryUserCache) => {
      const cache = store ?? new InMemoryUserCache(ttlSeconds);
      return { cache, store: cache, close: async () => {} };
    },
    async () => {},
  ),
);

userCacheContract(
  caches(
    'redis',
    redisAvailable,
    // The store shared by two instances is a key prefix on the one Redis; each instance has its own client.
    async (ttlSeconds, store?: string) => {
      const client = createRedisClient({ url: TEST_REDIS_URL });
      await connectRedis(client);
      const keyPrefix = store ?? `test:${randomBytes(6).toString('hex')}:`;
      const cache = new RedisUserCache(client, { ttlSeconds, keyPrefix, commandTimeoutMs: 500, logger: new CapturingLogger() });
      if (!(await cache.resync())) throw new Error('the Redis cache did not synchronise');
      return {
        cache,
        store: keyPrefix,
        async close() {
          await deleteKeys(TEST_REDIS_URL, keyPrefix);
          await closeRedisClient(client);
        },
      };
    },
    // What the client's `ready` event does after a reconnection.
    async (cache) => {
      if (!(await (cache as RedisUserCache).resync())) throw new Error('the Redis cache did not resynchronise');
    },
  ),
);
