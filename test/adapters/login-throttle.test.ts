import test, { type ExecutionContext } from 'ava';
import { createClient } from 'redis';
import type { LoginThrottle } from '../../src/application/ports/login-throttle.js';
import { InMemoryLoginThrottle } from '../../src/adapters/rate-limit/in-memory-login-throttle.js';
import { RedisLoginThrottle } from '../../src/adapters/rate-limit/redis-login-throttle.js';
import { RedisLuaCommands } from '../../src/adapters/rate-limit/redis-lua-commands.js';
import { CapturingLogger, FakeClock } from '../fakes/fakes.js';
import { redisAvailable } from '../helpers/databases.js';
import { freePort, testRedisClient } from '../helpers/servers.js';
import { randomRedisPrefix } from '../helpers/test-app.js';

const LIMITS = { max: 3, windowSeconds: 60 };

type Make = (clock: FakeClock) => Promise<{ throttle: LoginThrottle; done(): Promise<void> } | null>;

const THROTTLES: Array<{ name: string; make: Make }> = [
  { name: 'memory', make: async (clock) => ({ throttle: new InMemoryLoginThrottle(clock, LIMITS), done: async () => {} }) },
  {
    name: 'redis',
    async make(clock) {
      if (!(await redisAvailable())) return null;
      const client = await testRedisClient();
      const scripts = new RedisLuaCommands(client, new CapturingLogger());
      return { throttle: new RedisLoginThrottle(scripts, clock, LIMITS, randomRedisPrefix()), done: async () => client.destroy() };
    },
  },
];

for (const { name, make } of THROTTLES) {
  const it = (title: string, body: (t: ExecutionContext, throttle: LoginThrottle, clock: FakeClock) => Promise<void>) =>
    test(`[${name}] ${title}`, async (t) => {
      // Near real time, so that Redis' own expiry of the key agrees with the clock.
      const clock = new FakeClock(new Date());
      const made = await make(clock);
      if (!made) return t.pass('Redis is not running');
      try {
        await body(t, made.throttle, clock);
      } finally {
        await made.done();
      }
    });

  it('after the maximum of failures the key is refused, with the wait until the oldest leaves the window', async (t, throttle, clock) => {
    for (let i = 0; i < 3; i++) {
      t.true((await throttle.begin('ann@example.com')).allowed);
      clock.advance(10_000);
    }
    const refused = await throttle.begin('ann@example.com');
    t.deepEqual(refused, { allowed: false, retryAfterSeconds: 30 });
    t.true((await throttle.begin('bob@example.com')).allowed);
  });

  it('a success is not counted and does not wipe the failures before it', async (t, throttle) => {
    const first = await throttle.begin('k');
    t.true(first.allowed);
    const good = await throttle.begin('k');
    if (!good.allowed) return t.fail();
    await throttle.succeeded('k', good.id);
    t.true((await throttle.begin('k')).allowed);
    t.true((await throttle.begin('k')).allowed);
    t.false((await throttle.begin('k')).allowed);
  });

  it('nothing is refused beyond the window', async (t, throttle, clock) => {
    for (let i = 0; i < 3; i++) await throttle.begin('w');
    t.false((await throttle.begin('w')).allowed);
    clock.advance(59_000);
    t.false((await throttle.begin('w')).allowed);
    clock.advance(1_000);
    t.true((await throttle.begin('w')).allowed);
  });

  it('concurrent attempts cannot slip past the limit', async (t, throttle) => {
    const attempts = await Promise.all(Array.from({ length: 12 }, () => throttle.begin('race')));
    t.is(attempts.filter((a) => a.allowed).length, 3);
  });
}

test('[redis] an unreachable Redis allows every attempt and logs the outage once', async (t) => {
  const client = createClient({ url: `redis://127.0.0.1:${await freePort()}`, disableOfflineQueue: true });
  client.on('error', () => {});
  void client.connect().catch(() => {});
  const logger = new CapturingLogger();
  const throttle = new RedisLoginThrottle(new RedisLuaCommands(client, logger), new FakeClock(), LIMITS, randomRedisPrefix());
  try {
    for (let i = 0; i < 6; i++) {
      const attempt = await throttle.begin('k');
      t.true(attempt.allowed);
      if (attempt.allowed) await throttle.succeeded('k', attempt.id);
    }
    t.is(logger.lines.length, 1);
    t.is(logger.lines[0]!.level, 'warn');
  } finally {
    client.destroy();
  }
});
