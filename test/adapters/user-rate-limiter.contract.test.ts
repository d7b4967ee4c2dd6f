import test, { type ExecutionContext } from 'ava';
import { RedisUserCache } from '../../src/adapters/cache/redis-user-cache.js';
import { InMemoryUserRateLimiter } from '../../src/adapters/rate-limit/in-memory-user-rate-limiter.js';
import { RedisLuaCommands } from '../../src/adapters/rate-limit/redis-lua-commands.js';
import { RedisUserRateLimiter } from '../../src/adapters/rate-limit/redis-user-rate-limiter.js';
import type { UserLimit, UserRateLimiter } from '../../src/application/ports/user-rate-limiter.js';
import { CapturingLogger, FakeClock } from '../fakes/fakes.js';
import { redisAvailable } from '../helpers/databases.js';
import { deleteKeys } from '../helpers/redis-servers.js';
import { testRedisClient } from '../helpers/servers.js';
import { randomRedisPrefix } from '../helpers/test-app.js';
import { TEST_REDIS_URL } from '../helpers/databases.js';

type RedisClient = Awaited<ReturnType<typeof testRedisClient>>;

interface Subject {
  limiter: UserRateLimiter;
  /** The keys (or entries) holding budgets, and the largest one's size in bytes (Redis only). */
  footprint(): Promise<{ keys: number; largestBytes: number | null }>;
  done(): Promise<void>;
}

type Maker = { name: string; make(clock: FakeClock): Promise<Subject | null> };

async function redisSubject(make: (client: RedisClient, prefix: string) => Promise<UserRateLimiter>): Promise<Subject | null> {
  if (!(await redisAvailable())) return null;
  const client = await testRedisClient();
  const prefix = randomRedisPrefix();
  const limiter = await make(client, prefix);
  return {
    limiter,
    async footprint() {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${prefix}rate:*`, COUNT: 500 })) keys.push(...batch);
      let largest = 0;
      for (const key of keys) largest = Math.max(largest, Number(await client.sendCommand(['MEMORY', 'USAGE', key])));
      return { keys: keys.length, largestBytes: largest };
    },
    async done() {
      await deleteKeys(TEST_REDIS_URL, prefix);
      client.destroy();
    },
  };
}

const MAKERS: Maker[] = [
  {
    name: 'memory',
    async make(clock) {
      const limiter = new InMemoryUserRateLimiter(clock);
      return { limiter, footprint: async () => ({ keys: limiter.size, largestBytes: null }), done: async () => {} };
    },
  },
  {
    name: 'redis',
    make: (clock) => redisSubject(async (client, prefix) => new RedisUserRateLimiter(new RedisLuaCommands(client, new CapturingLogger()), prefix, clock)),
  },
  {
    // The same budgets, counted by the user cache in the script that reads the user and session.
    name: 'redis, counted by the user cache',
    make: (clock) =>
      redisSubject(async (client, prefix) => {
        const scripts = new RedisLuaCommands(client, new CapturingLogger());
        const cache = new RedisUserCache(client, {
          ttlSeconds: 300,
          keyPrefix: `${prefix}auth:`,
          commandTimeoutMs: 2000,
          logger: new CapturingLogger(),
          limits: { scripts, keyPrefix: prefix, clock },
        });
        if (!(await cache.resync())) throw new Error('the cache did not resynchronise');
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
            const cached = await cache.get(userId, `session-of-${userId}`, { tokenVersion: 3, limits });
            if (!cached.limits) throw new Error('the cache did not count the request');
            return cached.limits;
          },
        };
      }),
  },
];

const limit = (max: number, windowSeconds = 60, name = 'contacts'): UserLimit => ({ name, max, windowSeconds });

for (const maker of MAKERS) {
  const it = (title: string, body: (t: ExecutionContext, s: Subject, clock: FakeClock) => Promise<void>) =>
    test(`[${maker.name}] ${title}`, async (t) => {
      const clock = new FakeClock();
      const subject = await maker.make(clock);
      if (!subject) return t.pass('Redis is not running');
      try {
        await body(t, subject, clock);
      } finally {
        await subject.done();
      }
    });

  it('a burst of max is allowed, counting Remaining down; the next is refused with the wait for one more', async (t, { limiter }, clock) => {
    const start = clock.now().getTime();
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const [d] = (await limiter.take('ann', [limit(3)]))!;
      t.true(d!.allowed);
      t.is(d!.limit, 3);
      remaining.push(d!.remaining);
      t.is(d!.resetAtMs, start + (i + 1) * 20_000, 'the whole budget is back one interval per request later');
    }
    t.deepEqual(remaining, [2, 1, 0]);
    const [refused] = (await limiter.take('ann', [limit(3)]))!;
    t.like(refused, { allowed: false, remaining: 0, limit: 3, retryAfterMs: 20_000, resetAtMs: start + 60_000 });
  });

  it('the budget refills one request per window/max; after a whole window it is whole again', async (t, { limiter }, clock) => {
    for (let i = 0; i < 2; i++) t.true((await limiter.take('bob', [limit(2, 10)]))![0]!.allowed);
    t.false((await limiter.take('bob', [limit(2, 10)]))![0]!.allowed);
    clock.advance(4_999);
    t.like((await limiter.take('bob', [limit(2, 10)]))![0], { allowed: false, retryAfterMs: 1 });
    clock.advance(1);
    t.like((await limiter.take('bob', [limit(2, 10)]))![0], { allowed: true, remaining: 0 });
    clock.advance(10_000);
    t.like((await limiter.take('bob', [limit(2, 10)]))![0], { allowed: true, remaining: 1 });
  });

  it('a refused request spends nothing: waiting out the announced delay is enough', async (t, { limiter }, clock) => {
    t.true((await limiter.take('cy', [limit(1, 1)]))![0]!.allowed);
    for (let i = 0; i < 5; i++) t.false((await limiter.take('cy', [limit(1, 1)]))![0]!.allowed);
    const [refused] = (await limiter.take('cy', [limit(1, 1)]))!;
    clock.advance(refused!.retryAfterMs);
    t.true((await limiter.take('cy', [limit(1, 1)]))![0]!.allowed);
  });

  it('16 concurrent requests against a limit of 8 admit exactly 8', async (t, { limiter }) => {
    const decisions = await Promise.all(Array.from({ length: 16 }, () => limiter.take('dee', [limit(8)])));
    t.is(decisions.filter((d) => d![0]!.allowed).length, 8);
  });

  it('one user at the limit never limits another, nor another limit of the same user', async (t, { limiter }) => {
    await limiter.take('eve', [limit(1)]);
    t.false((await limiter.take('eve', [limit(1)]))![0]!.allowed);
    t.like((await limiter.take('fay', [limit(1)]))![0], { allowed: true, remaining: 0 });
    t.true((await limiter.take('eve', [limit(1, 60, 'other')]))![0]!.allowed);
  });

  it('limits are taken in order and the first refusal stops the count', async (t, { limiter }) => {
    const both = [limit(5, 60, 'all'), limit(2, 60, 'create')];
    t.deepEqual(
      (await limiter.take('gus', both))!.map((d) => [d.name, d.allowed, d.remaining]),
      [
        ['all', true, 4],
        ['create', true, 1],
      ],
    );
    await limiter.take('gus', both);
    t.deepEqual(
      (await limiter.take('gus', both))!.map((d) => [d.name, d.allowed]),
      [
        ['all', true],
        ['create', false],
      ],
    );
    // The general budget was spent by the refused creation (3 of 5); reads go on within it.
    t.like((await limiter.take('gus', [limit(5, 60, 'all')]))![0], { allowed: true, remaining: 1 });
  });

  it('one key per user per limit, of constant size, however many requests and however large the limit', async (t, s) => {
    const big = [limit(10_000, 36_000, 'all'), limit(5_000, 36_000, 'create')];
    for (let i = 0; i < 300; i++) await s.limiter.take('hal', big);
    await s.limiter.take('ivy', big);
    const { keys, largestBytes } = await s.footprint();
    t.is(keys, 4, 'two users × two limits');
    if (largestBytes !== null) t.true(largestBytes <= 128, `${largestBytes} bytes`);
  });
}

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
