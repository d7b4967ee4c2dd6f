import test from 'ava';
import { createClient } from 'redis';
import { InMemoryLoginThrottle } from '../../src/adapters/rate-limit/in-memory-login-throttle.js';
import { RedisLoginThrottle } from '../../src/adapters/rate-limit/redis-login-throttle.js';
import { RedisLuaCommands } from '../../src/adapters/rate-limit/redis-lua-commands.js';
import type { ContractSubject } from '../contracts/harness.js';
import { LOGIN_THROTTLE_LIMITS as LIMITS, type LoginThrottleUnderTest, loginThrottleContract } from '../contracts/login-throttle.contract.js';
import { CapturingLogger, FakeClock } from '../fakes/fakes.js';
import { redisAvailable } from '../helpers/databases.js';
import { freePort, testRedisClient } from '../helpers/servers.js';
import { randomRedisPrefix } from '../helpers/test-app.js';

const A_IP = '192.0.2.1';

// Near real time, so that Redis' own expiry of the key agrees with the clock.
const nearNow = () => new FakeClock(new Date());

const THROTTLES: ContractSubject<LoginThrottleUnderTest>[] = [
  {
    name: 'memory',
    async open() {
      const clock = nearNow();
      return { throttle: new InMemoryLoginThrottle(clock, LIMITS), clock, close: async () => {} };
    },
  },
  {
    name: 'redis',
    available: redisAvailable,
    async open() {
      const clock = nearNow();
      const client = await testRedisClient();
      const scripts = new RedisLuaCommands(client, new CapturingLogger());
      return { throttle: new RedisLoginThrottle(scripts, clock, LIMITS, randomRedisPrefix()), clock, close: async () => client.destroy() };
    },
  },
];

for (const subject of THROTTLES) loginThrottleContract({ ...subject, close: (made) => made.close() });

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
