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

const LIMITS = { max: 3, accountMax: 9, windowSeconds: 60 };
const A_IP = '192.0.2.1';

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

  const A = '192.0.2.1';
  const B = '192.0.2.2';

  it('after the maximum of failures one (account, IP) pair is refused, with the wait until its oldest leaves the window', async (t, throttle, clock) => {
    for (let i = 0; i < 3; i++) {
      t.true((await throttle.begin('ann@example.com', A)).allowed);
      clock.advance(10_000);
    }
    const refused = await throttle.begin('ann@example.com', A);
    t.deepEqual(refused, { allowed: false, retryAfterSeconds: 30 });
    t.true((await throttle.begin('ann@example.com', B)).allowed, 'another IP may still try that account');
    t.true((await throttle.begin('bob@example.com', A)).allowed, 'that IP may still try another account');
  });

  it('past the per-account ceiling (9) an IP that has failed is refused, but an IP that has not failed may always try', async (t, throttle, clock) => {
    // Nine failures spread over nine IPs: each pair is far below its own limit.
    for (let i = 0; i < 9; i++) t.true((await throttle.begin('spread', `198.51.100.${i}`)).allowed);
    clock.advance(5_000);
    const again = await throttle.begin('spread', '198.51.100.0');
    t.deepEqual(again, { allowed: false, retryAfterSeconds: 55 });
    // The owner, from an IP that has not failed: let in, every time.
    for (let i = 0; i < 5; i++) {
      const owner = await throttle.begin('spread', '203.0.113.7');
      if (!owner.allowed) return t.fail('the owner from a clean IP was refused');
      await throttle.succeeded('spread', '203.0.113.7', owner.id);
    }
    // A fresh IP gets one guess; once it failed, it is refused too.
    t.true((await throttle.begin('spread', '198.51.100.200')).allowed);
    t.false((await throttle.begin('spread', '198.51.100.200')).allowed);
    clock.advance(55_000);
    t.true((await throttle.begin('spread', '198.51.100.0')).allowed, 'nothing is refused beyond the window');
  });

  it('a success is not counted and does not wipe the failures before it', async (t, throttle) => {
    const first = await throttle.begin('k', A);
    t.true(first.allowed);
    const good = await throttle.begin('k', A);
    if (!good.allowed) return t.fail();
    await throttle.succeeded('k', A, good.id);
    t.true((await throttle.begin('k', A)).allowed);
    t.true((await throttle.begin('k', A)).allowed);
    t.false((await throttle.begin('k', A)).allowed);
  });

  it('nothing is refused beyond the window', async (t, throttle, clock) => {
    for (let i = 0; i < 3; i++) await throttle.begin('w', A);
    t.false((await throttle.begin('w', A)).allowed);
    clock.advance(59_000);
    t.false((await throttle.begin('w', A)).allowed);
    clock.advance(1_000);
    t.true((await throttle.begin('w', A)).allowed);
  });

  it('concurrent attempts cannot slip past the limit', async (t, throttle) => {
    const attempts = await Promise.all(Array.from({ length: 12 }, () => throttle.begin('race', A)));
    t.is(attempts.filter((a) => a.allowed).length, 3);
  });

  it('a 1 MB account name is counted like any other, under a digest', async (t, throttle) => {
    const huge = 'x'.repeat(1_000_000);
    for (let i = 0; i < 3; i++) t.true((await throttle.begin(huge, A)).allowed);
    t.false((await throttle.begin(huge, A)).allowed);
    t.true((await throttle.begin(`${huge}y`, A)).allowed);
  });
}

test('[memory] the in-process throttle keeps at most its maximum of accounts, dropping those whose window passed first', async (t) => {
  const clock = new FakeClock(new Date());
  const throttle = new InMemoryLoginThrottle(clock, LIMITS, 1000);
  for (let i = 0; i < 5000; i++) await throttle.begin(`user${i}@example.com`, A_IP);
  t.true(throttle.size <= 1000, `${throttle.size} accounts kept`);
  // The newest account is still counted.
  for (let i = 0; i < 2; i++) await throttle.begin('user4999@example.com', A_IP);
  t.false((await throttle.begin('user4999@example.com', A_IP)).allowed);
});

test('[redis] an unreachable Redis allows every attempt and logs the outage once', async (t) => {
  const client = createClient({ url: `redis://127.0.0.1:${await freePort()}`, disableOfflineQueue: true });
  client.on('error', () => {});
  void client.connect().catch(() => {});
  const logger = new CapturingLogger();
  const throttle = new RedisLoginThrottle(new RedisLuaCommands(client, logger), new FakeClock(), LIMITS, randomRedisPrefix());
  try {
    for (let i = 0; i < 6; i++) {
      const attempt = await throttle.begin('k', A_IP);
      t.true(attempt.allowed);
      if (attempt.allowed) await throttle.succeeded('k', A_IP, attempt.id);
    }
    t.is(logger.lines.length, 1);
    t.is(logger.lines[0]!.level, 'warn');
  } finally {
    client.destroy();
  }
});
