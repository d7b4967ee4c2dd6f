import test from 'ava';
import { randomUUID } from 'node:crypto';
import { InMemoryAdmission } from '../../../src/adapters/cache/in-memory-admission.js';
import { InMemoryUserCache } from '../../../src/adapters/cache/in-memory-user-cache.js';
import { RedisAdmission } from '../../../src/adapters/cache/redis-admission.js';
import { RedisUserCache } from '../../../src/adapters/cache/redis-user-cache.js';
import { InMemoryUserRateLimiter } from '../../../src/adapters/rate-limit/in-memory-user-rate-limiter.js';
import { RedisLuaCommands } from '../../../src/adapters/rate-limit/redis-lua-commands.js';
import { RedisUserRateLimiter } from '../../../src/adapters/rate-limit/redis-user-rate-limiter.js';
import { closeRedisClient, connectRedis, createRedisClient } from '../../../src/infrastructure/redis.js';
import { type AdmissionUnderTest, admissionContract } from '../../contracts/admission.contract.js';
import { limit } from '../../contracts/user-rate-limiter.contract.js';
import type { ContractSubject } from '../../contracts/harness.js';
import { CapturingLogger, FakeClock } from '../../fakes/fakes.js';
import { redisAvailable, TEST_REDIS_URL } from '../../helpers/databases.js';
import { deleteKeys, inspectRedis, OwnRedisServer, redisServerInstalled } from '../../helpers/redis-servers.js';
import { randomRedisPrefix } from '../../helpers/test-app.js';

async function openRedisAdmission(url = TEST_REDIS_URL, prefix = randomRedisPrefix()) {
  const clock = new FakeClock();
  const logger = new CapturingLogger();
  const client = createRedisClient({ url, logger });
  await connectRedis(client);
  const scripts = new RedisLuaCommands(client, logger, { timeoutMs: 2000 });
  const cache = new RedisUserCache(client, { ttlSeconds: 300, keyPrefix: `${prefix}auth:`, commandTimeoutMs: 2000, logger });
  if (!(await cache.resync())) throw new Error('the cache did not resynchronise');
  const admission = new RedisAdmission(cache, new RedisUserRateLimiter(scripts, prefix, clock), { scripts, keyPrefix: prefix, clock });
  return {
    admission,
    cache,
    clock,
    prefix,
    async close() {
      await closeRedisClient(client);
      await deleteKeys(url, prefix);
    },
  };
}

const SUBJECTS: ContractSubject<AdmissionUnderTest>[] = [
  {
    name: 'memory',
    async open() {
      const clock = new FakeClock();
      const cache = new InMemoryUserCache(300);
      return { admission: new InMemoryAdmission(cache, new InMemoryUserRateLimiter(clock)), cache, clock, close: async () => {} };
    },
  },
  { name: 'redis', available: redisAvailable, open: () => openRedisAdmission() },
];

for (const subject of SUBJECTS) admissionContract({ ...subject, close: (s) => s.close() });

test('on Redis, admitting a cached request is one script: the generation, user and session read and the budgets counted together', async (t) => {
  if (!redisServerInstalled()) return t.pass('redis-server is not installed');
  const server = await OwnRedisServer.start();
  const subject = await openRedisAdmission(server.url);
  const inspect = await inspectRedis(server.url);
  try {
    const user = { id: randomUUID(), username: 'u', email: 'u@example.com', emailVerified: true, avatarUrl: '', createdAt: new Date(), tokenVersion: 2 };
    const sessionId = randomUUID();
    await subject.cache.putUser(user);
    await subject.cache.putSession(sessionId, true);
    const claims = { userId: user.id, sessionId, tokenVersion: 2 };
    await subject.admission.admit(claims, [limit(5)]); // loads the script
    await inspect.sendCommand(['CONFIG', 'RESETSTAT']);
    const admitted = await subject.admission.admit(claims, [limit(5), limit(5, 60, 'contact-create')]);
    t.like(admitted.decisions, [
      { name: 'contacts', allowed: true, remaining: 3 },
      { name: 'contact-create', allowed: true, remaining: 4 },
    ]);
    const stats = await inspect.info('commandstats');
    const calls = Object.fromEntries([...stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map(([, name, n]) => [name!, Number(n)]));
    delete calls.info;
    delete calls['config|resetstat'];
    t.deepEqual(calls, { evalsha: 1, mget: 1, get: 2, set: 2 }, 'one EVALSHA from the app; the rest ran inside it');
    t.is((await inspect.keys(`${subject.prefix}rate:*:user:${user.id}`)).length, 2, 'the budgets are the limiter’s keys');
  } finally {
    inspect.destroy();
    await subject.close();
    await server.close();
  }
});

test('on Redis, admission trusts only the current generation: after another instance resynchronises it misses and counts nothing until refilled', async (t) => {
  if (!(await redisAvailable())) return t.pass('Redis is not running');
  const a = await openRedisAdmission();
  const b = await openRedisAdmission(TEST_REDIS_URL, a.prefix);
  try {
    const user = { id: randomUUID(), username: 'u', email: 'u@example.com', emailVerified: true, avatarUrl: '', createdAt: new Date(), tokenVersion: 0 };
    const sessionId = randomUUID();
    const claims = { userId: user.id, sessionId, tokenVersion: 0 };
    // A adopts the generation B's start rotated, and fills what it missed, as authentication does.
    t.like(await a.admission.admit(claims, [limit(5)]), { user: null, sessionActive: null, decisions: null });
    await a.cache.putUser(user);
    await a.cache.putSession(sessionId, true);
    t.not((await a.admission.admit(claims, [limit(5)])).decisions, null, 'admitted from the cache');

    t.true(await b.cache.resync()); // B reconnected: every entry written before is orphaned
    t.like(await a.admission.admit(claims, [limit(5)]), { user: null, sessionActive: null, decisions: null });
    await a.cache.putUser(user);
    await a.cache.putSession(sessionId, true);
    t.like((await a.admission.admit(claims, [limit(5)])).decisions, [{ allowed: true, remaining: 3 }], 'refilled under the new generation');
  } finally {
    await b.close();
    await a.close();
  }
});
