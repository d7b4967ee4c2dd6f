import test from 'ava';
import Router from '@koa/router';
import Koa from 'koa';
import { errorHandler } from '../../src/adapters/http/middleware/error-handler.js';
import { rateLimit, type RateLimitRule } from '../../src/adapters/http/middleware/rate-limit.js';
import { InMemoryRateLimitStore } from '../../src/adapters/rate-limit/in-memory-rate-limit-store.js';
import type { RateLimitStore } from '../../src/adapters/rate-limit/rate-limit-store.js';
import { RedisLuaCommands, type ScriptingClient } from '../../src/adapters/rate-limit/redis-lua-commands.js';
import { RedisRateLimitStore } from '../../src/adapters/rate-limit/redis-rate-limit-store.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { redisAvailable } from '../helpers/databases.js';
import { freePort, serve, testRedisClient } from '../helpers/servers.js';
import { randomRedisPrefix } from '../helpers/test-app.js';
import { createClient } from 'redis';

type Store = { name: string; make(): Promise<{ store: RateLimitStore; done(): Promise<void> } | null> };

const STORES: Store[] = [
  { name: 'memory', make: async () => ({ store: new InMemoryRateLimitStore(), done: async () => {} }) },
  {
    name: 'redis',
    async make() {
      if (!(await redisAvailable())) return null;
      const client = await testRedisClient();
      const store = new RedisRateLimitStore(new RedisLuaCommands(client, new CapturingLogger()), randomRedisPrefix());
      return { store, done: async () => client.destroy() };
    },
  },
];

/** A one-route app limited by `rule`, the key taken from the `x-key` header. */
async function limitedApp(store: RateLimitStore, rule: Partial<RateLimitRule> = {}) {
  const app = new Koa();
  app.use(errorHandler(new CapturingLogger()));
  const router = new Router();
  const limit = rateLimit(store, { name: 'test', max: 8, windowSeconds: 60, key: (ctx) => ctx.get('x-key') || undefined, ...rule });
  router.get('/limited', limit, (ctx) => {
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  const server = await serve(app);
  return { ...server, get: (key: string) => fetch(`${server.url}/limited`, { headers: { 'x-key': key } }) };
}

for (const { name, make } of STORES) {
  const it = (title: string, body: (t: import('ava').ExecutionContext, store: RateLimitStore) => Promise<void>) =>
    test(`[${name}] ${title}`, async (t) => {
      const made = await make();
      if (!made) return t.pass('Redis is not running');
      try {
        await body(t, made.store);
      } finally {
        await made.done();
      }
    });

  it('16 concurrent requests against a limit of 8 admit exactly 8', async (t, store) => {
    const app = await limitedApp(store);
    try {
      const answers = await Promise.all(Array.from({ length: 16 }, () => app.get('same-key')));
      t.is(answers.filter((r) => r.status === 200).length, 8);
      t.is(answers.filter((r) => r.status === 429).length, 8);
    } finally {
      await app.close();
    }
  });

  it('admitted requests count down X-RateLimit-Remaining; the one past the limit is a problem+json 429', async (t, store) => {
    const app = await limitedApp(store, { max: 3 });
    try {
      const before = Math.floor(Date.now() / 1000);
      for (const remaining of ['2', '1', '0']) {
        const res = await app.get('k');
        t.is(res.status, 200);
        t.is(res.headers.get('x-ratelimit-limit'), '3');
        t.is(res.headers.get('x-ratelimit-remaining'), remaining);
        const reset = res.headers.get('x-ratelimit-reset')!;
        t.regex(reset, /^\d+$/);
        t.true(Number(reset) >= before + 59 && Number(reset) <= before + 61, reset);
      }
      const limited = await app.get('k');
      t.is(limited.status, 429);
      t.is(limited.headers.get('content-type'), 'application/problem+json');
      t.is(limited.headers.get('cache-control'), 'no-store');
      t.is(limited.headers.get('x-ratelimit-limit'), '3');
      t.is(limited.headers.get('x-ratelimit-remaining'), '0');
      const retryAfter = limited.headers.get('retry-after')!;
      t.regex(retryAfter, /^\d+$/);
      t.true(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, retryAfter);
      t.like(await limited.json(), { status: 429, code: 'RATE_LIMITED', title: 'Too Many Requests' });
    } finally {
      await app.close();
    }
  });

  it('a key at its limit does not limit another key', async (t, store) => {
    const app = await limitedApp(store, { max: 2 });
    try {
      await app.get('a');
      await app.get('a');
      t.is((await app.get('a')).status, 429);
      t.is((await app.get('b')).status, 200);
      t.is((await app.get('b')).headers.get('x-ratelimit-remaining'), '0');
    } finally {
      await app.close();
    }
  });

  it('the budget comes back once the window has passed', async (t, store) => {
    const app = await limitedApp(store, { max: 1, windowSeconds: 1 });
    try {
      t.is((await app.get('w')).status, 200);
      const limited = await app.get('w');
      t.is(limited.status, 429);
      t.is(limited.headers.get('retry-after'), '1');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      t.is((await app.get('w')).status, 200);
    } finally {
      await app.close();
    }
  });

  it('a request without a key is a wiring mistake, not a free pass', async (t, store) => {
    const app = await limitedApp(store);
    try {
      t.is((await fetch(`${app.url}/limited`)).status, 500);
    } finally {
      await app.close();
    }
  });
}

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
