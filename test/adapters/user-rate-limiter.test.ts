import test from 'ava';
import { RedisAdmission } from '../../src/adapters/cache/redis-admission.js';
import { RedisUserCache } from '../../src/adapters/cache/redis-user-cache.js';
import { InMemoryUserRateLimiter } from '../../src/adapters/rate-limit/in-memory-user-rate-limiter.js';
import { RedisLuaCommands } from '../../src/adapters/rate-limit/redis-lua-commands.js';
import { RedisUserRateLimiter } from '../../src/adapters/rate-limit/redis-user-rate-limiter.js';
import type { UserLimit, UserRateLimiter } from '../../src/application/ports/user-rate-limiter.js';
import type { ContractSubject } from '../contracts/harness.js';
import { limit, type UserRateLimiterUnderTest, userRateLimiterContract } from '../contracts/user-rate-limiter.contract.js';
import { CapturingLogger, FakeClock } from '../fakes/fakes.js';
import { redisAvailable } from '../helpers/databases.js';
import { deleteKeys } from '../helpers/redis-servers.js';
import { testRedisClient } from '../helpers/servers.js';
import { randomRedisPrefix } from '../helpers/test-app.js';
import { TEST_REDIS_URL } from '../helpers/databases.js';

type RedisClient = Awaited<ReturnType<typeof testRedisClient>>;

async function redisSubject(clock: FakeClock, make: (client: RedisClient, prefix: string) => Promise<UserRateLimiter>): Promise<UserRateLimiterUnderTest> {
  const client = await testRedisClient();
  const prefix = randomRedisPrefix();
  const limiter = await make(client, prefix);
  return {
    limiter,
    clock,
    async footprint() {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}rate:*`, COUNT: 500 })) keys.push(...batch);
      let largest = 0;
      for (const key of keys) largest = Math.max(largest, Number(await client.sendCommand(['MEMORY', 'USAGE', key])));
      return { keys: keys.length, largestBytes: largest };
    },
    async close() {
      await deleteKeys(TEST_REDIS_URL, prefix);
      client.destroy();
    },
  };
}

const SUBJECTS: ContractSubject<UserRateLimiterUnderTest>[] = [
  {
    name: 'memory',
    async open() {
      const clock = new FakeClock();
      const limiter = new InMemoryUserRateLimiter(clock);
      return { limiter, clock, footprint: async () => ({ keys: limiter.size, largestBytes: null }), close: async () => {} };
    },
  },
  {
    name: 'redis',
    available: redisAvailable,
    open: () => {
      const clock = new FakeClock();
      return redisSubject(clock, async (client, prefix) => new RedisUserRateLimiter(new RedisLuaCommands(client, new CapturingLogger()), prefix, clock));
    },
  },
  {
    // The same budgets, counted by admission in the script that reads the user and session.
    name: 'redis, counted by admission',
    available: redisAvailable,
    open: () => {
      const clock = new FakeClock();
      return redisSubject(clock, async (client, prefix) => {
        const scripts = new RedisLuaCommands(client, new CapturingLogger());
        const cache = new RedisUserCache(client, {
          ttlSeconds: 300,
          keyPrefix: `${prefix}auth:`,
          commandTimeoutMs: 2000,
          logger: new CapturingLogger(),
        });
        if (!(await cache.resync())) throw new Error('the cache did not resynchronise');
        const admission = new RedisAdmission(cache, new RedisUserRateLimiter(scripts, prefix, clock), { scripts, keyPrefix: prefix, clock });
        const primed = new Map<string, Promise<void>>();
        const cacheUser = async (userId: string) => {
          await cache.putUser({
            id: userId,
            username: 'u',
            email: 'u@example.com',
            emailVerified: true,
            avatarUrl: 'x',
            createdAt: new Date(),
            tokenVersion: 3,
          });
          await cache.putSession(`session-of-${userId}`, true);
        };
        return {
          async take(userId: string, limits: readonly UserLimit[]) {
            if (!primed.has(userId)) primed.set(userId, cacheUser(userId));
            await primed.get(userId);
            const { decisions } = await admission.admit({ userId, sessionId: `session-of-${userId}`, tokenVersion: 3 }, limits);
            if (!decisions) throw new Error('admission did not count the request');
            return decisions;
          },
        };
      });
    },
  },
];

for (const subject of SUBJECTS) userRateLimiterContract({ ...subject, close: (s) => s.close() });

test('[memory] the in-process budgets stay bounded however many users they see', async (t) => {
  const limiter = new InMemoryUserRateLimiter(new FakeClock(), 10);
  for (let i = 0; i < 30; i++) t.true((await limiter.take(`user-${i}`, [limit(1)]))[0]!.allowed);
  t.true(limiter.size <= 10, String(limiter.size));
  t.false((await limiter.take('user-29', [limit(1)]))[0]!.allowed);
});

test('[redis] an unreachable Redis: take answers null at once (fail open), logged once', async (t) => {
  const { createClient } = await import('redis');
  const { freePort } = await import('../helpers/servers.js');
  const client = createClient({ url: `redis://127.0.0.1:${await freePort()}`, disableOfflineQueue: true, socket: { connectTimeout: 200 } });
  client.on('error', () => {});
  void client.connect().catch(() => {});
  const logger = new CapturingLogger();
  const limiter = new RedisUserRateLimiter(new RedisLuaCommands(client, logger, { pauseMs: 0 }), randomRedisPrefix());
  try {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => limiter.take('u', [limit(1)])));
    t.deepEqual(answers, [null, null, null, null, null]);
    t.true(Date.now() - started < 1000);
    t.is(logger.lines.filter((l) => l.level === 'warn').length, 1);
  } finally {
    client.destroy();
  }
});
