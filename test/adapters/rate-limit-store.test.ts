import test from 'ava';
import { InMemoryRateLimitStore } from '../../src/adapters/rate-limit/in-memory-rate-limit-store.js';
import { RedisLuaCommands, type ScriptingClient } from '../../src/adapters/rate-limit/redis-lua-commands.js';
import { RedisRateLimitStore } from '../../src/adapters/rate-limit/redis-rate-limit-store.js';
import type { ContractSubject } from '../contracts/harness.js';
import { limitedApp, type RateLimitStoreUnderTest, rateLimitStoreContract } from '../contracts/rate-limit-store.contract.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { redisAvailable } from '../helpers/databases.js';
import { freePort, testRedisClient } from '../helpers/servers.js';
import { randomRedisPrefix } from '../helpers/test-app.js';
import { createClient } from 'redis';

const STORES: ContractSubject<RateLimitStoreUnderTest>[] = [
  { name: 'memory', open: async () => ({ store: new InMemoryRateLimitStore(), close: async () => {} }) },
  {
    name: 'redis',
    available: redisAvailable,
    async open() {
      const client = await testRedisClient();
      const store = new RedisRateLimitStore(new RedisLuaCommands(client, new CapturingLogger()), randomRedisPrefix());
      return { store, close: async () => client.destroy() };
    },
  },
];

for (const subject of STORES) rateLimitStoreContract({ ...subject, close: (made) => made.close() });

test('[redis] a script Redis has forgotten (NOSCRIPT) is sent again with EVAL and still counts', async (t) => {
  if (!(await redisAvailable())) return t.pass('Redis is not running');
  const client = await testRedisClient();
  try {
    // As after a Redis restart: the SHA the adapter holds names no script on the server.
    const forgetful: ScriptingClient = {
      scriptLoad: async () => 'f'.repeat(40),
      evalSha: (sha, options) => client.evalSha(sha, options),
      eval: (script, options) => client.eval(script, options),
    };
    const logger = new CapturingLogger();
    const store = new RedisRateLimitStore(new RedisLuaCommands(forgetful, logger), randomRedisPrefix());
    const app = await limitedApp(store, { max: 2 });
    try {
      t.deepEqual([(await app.get('n')).status, (await app.get('n')).status, (await app.get('n')).status], [200, 200, 429]);
      t.deepEqual(logger.lines, []);
    } finally {
      await app.close();
    }
  } finally {
    client.destroy();
  }
});

test('[redis] an unreachable Redis lets requests through at once, without headers, and is logged once', async (t) => {
  const client = createClient({ url: `redis://127.0.0.1:${await freePort()}`, disableOfflineQueue: true, socket: { connectTimeout: 200 } });
  client.on('error', () => {});
  void client.connect().catch(() => {});
  const logger = new CapturingLogger();
  const store = new RedisRateLimitStore(new RedisLuaCommands(client, logger, { pauseMs: 0 }), randomRedisPrefix());
  const app = await limitedApp(store, { max: 1 });
  try {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => app.get('down')));
    t.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    t.true(Date.now() - started < 1000);
    t.is(answers[0]!.headers.get('x-ratelimit-limit'), null);
    t.is((await app.get('down')).status, 200);
    t.is(logger.lines.filter((l) => l.level === 'warn').length, 1);
    t.is(logger.lines.length, 1);
  } finally {
    await app.close();
    client.destroy();
  }
});

test('[memory] the in-process store stays bounded however many clients it sees', async (t) => {
  const store = new InMemoryRateLimitStore(10);
  const app = await limitedApp(store, { max: 1 });
  try {
    for (let i = 0; i < 30; i++) t.is((await app.get(`client-${i}`)).status, 200);
    t.true(store.db.size <= 10, String(store.db.size));
    t.is((await app.get('client-29')).status, 429);
  } finally {
    await app.close();
  }
});

test('[memory] the in-process store keeps digests, never the client key itself, whatever its size', async (t) => {
  const store = new InMemoryRateLimitStore(10);
  const app = await limitedApp(store, { max: 1 });
  try {
    const long = `client-${'x'.repeat(8000)}`;
    t.is((await app.get(long)).status, 200);
    t.is((await app.get(long)).status, 429, 'still counted under its digest');
    t.is((await app.get(`${long}y`)).status, 200);
    const stored = JSON.stringify([...store.db.entries()]);
    t.false(stored.includes('xxxxxxxx'), 'the raw key is not kept');
    for (const key of store.db.keys()) t.true(key.length <= 32, `a key of ${key.length} characters`);
  } finally {
    await app.close();
  }
});
