import test, { type ExecutionContext } from 'ava';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisUserCache } from '../../../src/adapters/cache/redis-user-cache.js';
import type { AuthUser } from '../../../src/domain/user.js';
import { closeRedisClient, connectRedis, createRedisClient } from '../../../src/infrastructure/redis.js';
import { CapturingLogger } from '../../fakes/fakes.js';
import { TEST_REDIS_URL } from '../../helpers/databases.js';
import { redisAvailable } from '../../helpers/databases.js';
import { deleteKeys, inspectRedis, OwnRedisServer, RedisLink, redisServerInstalled } from '../../helpers/redis-servers.js';
import { freePort } from '../../helpers/servers.js';

// Generous bounds: they catch a hang, they do not measure speed. Tests that are not about an
// outage use a long command timeout, so a loaded machine does not turn into an outage.
const OUTAGE_COMMAND_TIMEOUT_MS = 300;
const COMMAND_TIMEOUT_MS = 2000;
const HANG_BOUND_MS = 1500;

function someUser(overrides: Partial<AuthUser> = {}): AuthUser {
  return {
    id: randomUUID(),
    username: 'Ann',
    email: 'ann@example.com',
    emailVerified: true,
    avatarUrl: 'https://example.com/a.png',
    createdAt: new Date('2026-01-02T03:04:05.000Z'),
    tokenVersion: 0,
    ...overrides,
  };
}

async function openCache(url: string, keyPrefix = `test:${randomBytes(6).toString('hex')}:`, commandTimeoutMs = COMMAND_TIMEOUT_MS) {
  const logger = new CapturingLogger();
  const client = createRedisClient({ url, logger });
  await connectRedis(client);
  const cache = new RedisUserCache(client, { ttlSeconds: 300, keyPrefix, commandTimeoutMs, logger, retryIntervalMs: 100 });
  await cache.resync();
  return { cache, client, logger, keyPrefix };
}

const cacheWarnings = (logger: CapturingLogger) => logger.lines.filter((l) => l.level === 'warn' && l.message.startsWith('user cache'));
const cacheInfos = (logger: CapturingLogger) => logger.lines.filter((l) => l.level === 'info' && l.message.startsWith('user cache'));

/** Waits until the cache serves what it is given again, i.e. it has resynchronised with Redis. */
async function untilCacheServes(t: ExecutionContext, cache: RedisUserCache): Promise<void> {
  const probe = someUser();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await cache.putUser(probe);
    if ((await cache.get(probe.id, randomUUID())).user) return;
    await sleep(100);
  }
  t.fail('the cache was not used again within 10 s of Redis answering');
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work;
  return { value, ms: performance.now() - start };
}

async function withSharedRedis(t: ExecutionContext, body: (prefix: string) => Promise<void>): Promise<void> {
  if (!(await redisAvailable())) {
    t.pass('Redis is not running');
    return;
  }
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  try {
    await body(prefix);
  } finally {
    await deleteKeys(TEST_REDIS_URL, prefix);
  }
}

type OpenCache = Awaited<ReturnType<typeof openCache>>;

/**
 * Two instances of the cache, A and B, on one shared Redis, closed afterwards. With `linkB`, B
 * reaches Redis through a link the test can cut (`link`, null otherwise).
 */
async function withTwoInstances(
  t: ExecutionContext,
  body: (a: OpenCache, b: OpenCache, link: RedisLink | null) => Promise<void>,
  { linkB = false } = {},
): Promise<void> {
  await withSharedRedis(t, async (prefix) => {
    const link = linkB ? await RedisLink.open() : null;
    const a = await openCache(TEST_REDIS_URL, prefix);
    const b = await openCache(link?.url ?? TEST_REDIS_URL, prefix);
    try {
      await body(a, b, link);
    } finally {
      await closeRedisClient(a.client);
      await closeRedisClient(b.client);
      await link?.close();
    }
  });
}

/** Calls per command on that server so far, INFO itself left out. */
async function commandCalls(url: string): Promise<Record<string, number>> {
  const inspect = await inspectRedis(url);
  try {
    const info = await inspect.info('commandstats');
    const calls: Record<string, number> = {};
    for (const [, name, count] of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) if (name !== 'info') calls[name!] = Number(count);
    return calls;
  } finally {
    inspect.destroy();
  }
}

test('an authentication costs one round trip: the user and the session come back from a single MGET', async (t) => {
  if (!redisServerInstalled()) return t.pass('redis-server is not installed');
  const server = await OwnRedisServer.start();
  const { cache, client } = await openCache(server.url);
  try {
    const user = someUser();
    const session = randomUUID();
    await cache.putUser(user);
    await cache.putSession(session, true);
    const before = await commandCalls(server.url);
    t.deepEqual(await cache.get(user.id, session), { user, sessionActive: true });
    const after = await commandCalls(server.url);
    const ran = Object.fromEntries(
      Object.entries(after)
        .filter(([name, n]) => n !== (before[name] ?? 0))
        .map(([name, n]) => [name, n - (before[name] ?? 0)]),
    );
    // The inspecting client's own connection handshake shows up as hello/client; nothing else may.
    delete ran.hello;
    delete ran['client|setinfo'];
    t.deepEqual(ran, { mget: 1 });
  } finally {
    await closeRedisClient(client);
    await server.close();
  }
});

test('what is stored is only what a request needs, and an entry that does not parse is a miss', async (t) => {
  await withSharedRedis(t, async (prefix) => {
    const { cache, client } = await openCache(TEST_REDIS_URL, prefix);
    const inspect = await inspectRedis();
    try {
      const user = someUser();
      await cache.putUser({ ...user, passwordHash: '$2a$12$secret' } as AuthUser);
      const [key] = await inspect.keys(`${prefix}*:user:${user.id}`);
      t.truthy(key);
      const stored = JSON.parse((await inspect.get(key!))!) as Record<string, unknown>;
      t.deepEqual(Object.keys(stored).sort(), ['avatarUrl', 'createdAt', 'email', 'emailVerified', 'id', 'tokenVersion', 'username']);
      const ttl = await inspect.ttl(key!);
      t.true(ttl > 0 && ttl <= 300);

      await inspect.set(key!, '{"id": "not what we wrote"');
      t.is((await cache.get(user.id, randomUUID())).user, null);
    } finally {
      inspect.destroy();
      await closeRedisClient(client);
    }
  });
});

test('once any instance resynchronises, entries written before are served by no instance', async (t) => {
  await withTwoInstances(t, async (a, b) => {
    const user = someUser();
    const session = randomUUID();
    // `b` started last, so its start rotated the generation; `a` learns it at its next read.
    t.deepEqual(await a.cache.get(user.id, session), { user: null, sessionActive: null });
    await b.cache.putUser(user);
    await b.cache.putSession(session, true);
    t.deepEqual(await a.cache.get(user.id, session), { user, sessionActive: true });

    // What instance `a` does when Redis answers again after it missed an eviction.
    t.true(await a.cache.resync());
    t.deepEqual(await b.cache.get(user.id, session), { user: null, sessionActive: null });
    t.deepEqual(await a.cache.get(user.id, session), { user: null, sessionActive: null });

    // Both use the new generation from then on.
    await b.cache.putUser(user);
    t.deepEqual((await a.cache.get(user.id, session)).user, user);
  });
});

test("a revocation by an instance that missed another's reconnection holds on that other instance at once", async (t) => {
  await withTwoInstances(
    t,
    async (a, b, link) => {
      // Instance B reaches the shared Redis through a link the test cuts; A, quiet meanwhile, does not.
      const user = someUser({ tokenVersion: 0 });
      const session = randomUUID();
      await a.cache.get(user.id, session); // A adopts the generation B's start wrote
      await b.cache.putUser(user);
      await b.cache.putSession(session, true);
      t.deepEqual(await a.cache.get(user.id, session), { user, sessionActive: true });

      // B's connection drops for 300 ms; once back, B resynchronises (a new generation) and, being
      // busy, caches the user and the session again. A asks nothing meanwhile.
      await link!.cut(300);
      await untilCacheServes(t, b.cache);
      await b.cache.putUser(user);
      await b.cache.putSession(session, true);
      t.deepEqual(await b.cache.get(user.id, session), { user, sessionActive: true });

      // A password reset on A: the new version's floor and the session's tombstone.
      await a.cache.evictUser(user.id, 1);
      await a.cache.evictSession(session);
      t.deepEqual(await b.cache.get(user.id, session), { user: null, sessionActive: false });
      t.deepEqual(await a.cache.get(user.id, session), { user: null, sessionActive: false });
      // A fill on B that read the user before the reset cannot bring the old version back.
      await b.cache.putUser(user);
      await b.cache.putSession(session, true);
      t.deepEqual(await b.cache.get(user.id, session), { user: null, sessionActive: false });
    },
    { linkB: true },
  );
});

test('a fill that read the database before a revocation and a rotation does not bring the revoked user or session back', async (t) => {
  await withTwoInstances(t, async (a, b) => {
    const user = someUser({ tokenVersion: 0 });
    const session = randomUUID();
    // A request on B misses, then reads version 0 and a live session from the database...
    t.deepEqual(await b.cache.get(user.id, session), { user: null, sessionActive: null });
    // ...meanwhile a reset on A revokes both, and A (reconnected to Redis) rotates the generation...
    await a.cache.evictUser(user.id, 1);
    await a.cache.evictSession(session);
    t.true(await a.cache.resync());
    // ...which B reads while serving another request...
    t.deepEqual(await b.cache.get(randomUUID(), randomUUID()), { user: null, sessionActive: null });
    // ...before the first request writes what it read.
    await b.cache.putUser(user);
    await b.cache.putSession(session, true);
    for (const cache of [a.cache, b.cache]) t.deepEqual(await cache.get(user.id, session), { user: null, sessionActive: null });

    // A fill announced after the rotation is written as usual.
    t.deepEqual(await b.cache.get(user.id, session), { user: null, sessionActive: null });
    await b.cache.putUser({ ...user, tokenVersion: 1 });
    await b.cache.putSession(session, false);
    t.deepEqual(await a.cache.get(user.id, session), { user: { ...user, tokenVersion: 1 }, sessionActive: false });
  });
});

test('a fill that read the database while its instance was cut off from Redis is not written once it is back', async (t) => {
  await withTwoInstances(
    t,
    async (a, b, link) => {
      const user = someUser({ tokenVersion: 0 });
      const session = randomUUID();
      const cutting = link!.cut(300);
      await sleep(50);
      // A request on B misses (B cannot reach Redis) and reads version 0 and a live session...
      t.deepEqual(await b.cache.get(user.id, session), { user: null, sessionActive: null });
      // ...a reset on A revokes both...
      await a.cache.evictUser(user.id, 1);
      await a.cache.evictSession(session);
      // ...and B, back and resynchronised, then writes what it read.
      await cutting;
      await untilCacheServes(t, b.cache);
      await b.cache.putUser(user);
      await b.cache.putSession(session, true);
      for (const cache of [a.cache, b.cache]) {
        const cached = await cache.get(user.id, session);
        t.is(cached.user, null);
        t.not(cached.sessionActive, true);
      }
    },
    { linkB: true },
  );
});

test('a revocation under a generation that moves at every attempt makes its instance rotate it: the entry it could not evict is served by no one', async (t) => {
  await withSharedRedis(t, async (prefix) => {
    const a = await openCache(TEST_REDIS_URL, prefix);
    const inspect = await inspectRedis();
    const generationKey = `${prefix}generation`;
    // B's client, around whose every script another instance rotates the generation and puts it back.
    let restore: string | null = null;
    const client = createRedisClient({ url: TEST_REDIS_URL });
    await connectRedis(client);
    const moving = new Proxy(client, {
      get(target, property) {
        if (property === 'evalSha' && restore) {
          return async (...args: Parameters<typeof client.evalSha>) => {
            await inspect.set(generationKey, randomBytes(6).toString('hex'));
            try {
              return await target.evalSha(...args);
            } finally {
              await inspect.set(generationKey, restore!);
            }
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const b = new RedisUserCache(moving, { ttlSeconds: 300, keyPrefix: prefix, commandTimeoutMs: COMMAND_TIMEOUT_MS, logger: new CapturingLogger() });
    try {
      t.true(await b.resync());
      const user = someUser();
      const session = randomUUID();
      await a.cache.get(user.id, session);
      await a.cache.putUser(user);
      await a.cache.putSession(session, true);
      t.deepEqual(await b.get(user.id, session), { user, sessionActive: true });

      restore = await inspect.get(generationKey);
      await b.evictSession(session);
      const stormy = restore;
      restore = null;
      const deadline = Date.now() + 5000;
      while ((await inspect.get(generationKey)) === stormy && Date.now() < deadline) await sleep(20);
      t.not(await inspect.get(generationKey), stormy, 'B rotated the generation');
      t.deepEqual(await a.cache.get(user.id, session), { user: null, sessionActive: null });
    } finally {
      inspect.destroy();
      await closeRedisClient(a.client);
      await closeRedisClient(client);
    }
  });
});

test('of two fills of a user under way across a rotation, neither is written, since neither says which read came first', async (t) => {
  await withTwoInstances(t, async (a, b) => {
    const user = someUser({ tokenVersion: 0 });
    await b.cache.get(user.id, randomUUID()); // read before the reset below
    await a.cache.evictUser(user.id, 1);
    t.true(await a.cache.resync());
    await b.cache.get(user.id, randomUUID()); // read after it, under the new generation
    await b.cache.putUser({ ...user, tokenVersion: 1 });
    await b.cache.putUser(user);
    t.is((await a.cache.get(user.id, randomUUID())).user, null);

    // Once both have landed, the next fill is written.
    await b.cache.get(user.id, randomUUID());
    await b.cache.putUser({ ...user, tokenVersion: 1 });
    t.like((await a.cache.get(user.id, randomUUID())).user, { tokenVersion: 1 });
  });
});

test('with no Redis at the address, every call returns at once as a miss and the outage is logged once', async (t) => {
  const { cache, client, logger } = await openCache(`redis://127.0.0.1:${await freePort()}`, undefined, OUTAGE_COMMAND_TIMEOUT_MS);
  try {
    const user = someUser();
    for (let i = 0; i < 20; i++) {
      const { value, ms } = await timed(cache.get(user.id, randomUUID()));
      t.deepEqual(value, { user: null, sessionActive: null });
      t.true(ms < HANG_BOUND_MS, `get took ${ms} ms`);
      await cache.putUser(user);
      await cache.putSession(randomUUID(), true);
      await cache.evictUser(user.id);
      await cache.evictSession(randomUUID());
    }
    await sleep(700); // several reconnection attempts fail meanwhile
    t.is(cacheWarnings(logger).length, 1);
    t.is(logger.lines.filter((l) => l.message.startsWith('Redis is unreachable')).length, 1);
  } finally {
    await closeRedisClient(client);
  }
});

test('a Redis that stops answering costs each call at most the command timeout; afterwards the cache resynchronises and old entries stay dead', async (t) => {
  if (!redisServerInstalled()) return t.pass('redis-server is not installed');
  const server = await OwnRedisServer.start();
  const { cache, client, logger } = await openCache(server.url, undefined, OUTAGE_COMMAND_TIMEOUT_MS);
  const control = await inspectRedis(server.url);
  try {
    const user = someUser();
    const session = randomUUID();
    await cache.putUser(user);
    await cache.putSession(session, true);
    t.deepEqual(await cache.get(user.id, session), { user, sessionActive: true });

    // The connection stays open but nothing comes back: only the timer bounds the call.
    await control.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL']);
    const paused = await timed(cache.get(user.id, session));
    t.deepEqual(paused.value, { user: null, sessionActive: null });
    t.true(paused.ms < HANG_BOUND_MS, `get took ${paused.ms} ms`);
    for (let i = 0; i < 5; i++) {
      const { value, ms } = await timed(cache.get(user.id, session));
      t.deepEqual(value, { user: null, sessionActive: null });
      t.true(ms < HANG_BOUND_MS, `get took ${ms} ms`);
      t.true((await timed(cache.evictSession(session))).ms < HANG_BOUND_MS);
    }
    t.is(cacheWarnings(logger).length, 1);

    await untilCacheServes(t, cache);
    t.deepEqual(await cache.get(user.id, session), { user: null, sessionActive: null });
    t.is(cacheInfos(logger).length, 1);
  } finally {
    control.destroy();
    await closeRedisClient(client);
    await server.close();
  }
});

test('a Redis restarted from a snapshot holding a since-revoked session never reports it live', async (t) => {
  if (!redisServerInstalled()) return t.pass('redis-server is not installed');
  const server = await OwnRedisServer.start();
  const { cache, client, keyPrefix } = await openCache(server.url);
  try {
    const user = someUser();
    const session = randomUUID();
    await cache.putUser(user);
    await cache.putSession(session, true);
    await server.snapshot();
    await cache.evictSession(session); // the logout, after the snapshot
    t.is((await cache.get(user.id, session)).sessionActive, false);

    await server.stop();
    t.deepEqual(await cache.get(user.id, session), { user: null, sessionActive: null });
    await server.start();

    // The restarted server really holds the stale entry...
    const inspect = await inspectRedis(server.url);
    const [key] = await inspect.keys(`${keyPrefix}*:session:${session}`);
    t.is(await inspect.get(key!), '1');
    inspect.destroy();

    // ...and the cache, once it is used again, does not serve it.
    await untilCacheServes(t, cache);
    t.not((await cache.get(user.id, session)).sessionActive, true);
    t.is((await cache.get(user.id, session)).user, null);
  } finally {
    await closeRedisClient(client);
    await server.close();
  }
});
