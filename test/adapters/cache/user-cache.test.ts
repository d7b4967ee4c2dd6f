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

/** A subject whose test may open several caches (with a TTL each); all are closed after the test. */
function caches(
  name: string,
  available: () => Promise<boolean>,
  make: (ttlSeconds: number) => Promise<{ cache: UserCache; close(): Promise<void> }>,
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
    async (ttlSeconds) => ({ cache: new InMemoryUserCache(ttlSeconds), close: async () => {} }),
  ),
);

userCacheContract(
  caches('redis', redisAvailable, async (ttlSeconds) => {
    const client = createRedisClient({ url: TEST_REDIS_URL });
    await connectRedis(client);
    const keyPrefix = `test:${randomBytes(6).toString('hex')}:`;
    const cache = new RedisUserCache(client, { ttlSeconds, keyPrefix, commandTimeoutMs: 500, logger: new CapturingLogger() });
    if (!(await cache.resync())) throw new Error('the Redis cache did not synchronise');
    return {
      cache,
      async close() {
        await deleteKeys(TEST_REDIS_URL, keyPrefix);
        await closeRedisClient(client);
      },
    };
  }),
);
