import test from 'ava';
import { OwnRedisServer } from '../helpers/redis-servers.js';
import { freePort } from '../helpers/servers.js';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

// These tests stop and start a redis-server of their own, never the shared one.
const LIMITS = { RATE_LIMIT_AUTH_MAX: '2', RATE_LIMIT_LOGIN_FAILURES_MAX: '2', TRUST_PROXY: 'true' };

const login = (app: TestApp, email: string, ip: string) =>
  app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD }, headers: { 'x-forwarded-for': ip } });

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await work;
  return [result, Date.now() - started];
}

test.serial('while Redis hangs, rate-limited routes answer within a second (fail open), the outage is logged once, and limits return with Redis', async (t) => {
  const redis = await OwnRedisServer.start();
  const app = await startTestApp({ env: { ...LIMITS, REDIS_URL: redis.url } });
  try {
    const ip = '192.0.2.1';
    const email = uniqueEmail();
    t.is((await login(app, email, ip)).status, 401);
    t.is((await login(app, email, ip)).status, 401);
    t.is((await login(app, email, ip)).status, 429);

    redis.pause();
    for (let i = 0; i < 4; i++) {
      const [res, ms] = await timed(login(app, email, ip));
      t.is(res.status, 401, 'counted neither per IP nor per email: the request goes through');
      t.true(ms < 1500, `answered in ${ms} ms`);
    }
    const warnings = app.logger.lines.filter((l) => l.level === 'warn');
    t.is(warnings.length, 1);
    t.regex(warnings[0]!.message, /rate-limit store unreachable/);
    t.false(app.logger.lines.some((l) => l.level === 'error'));

    redis.resume();
    let status = 0;
    for (let i = 0; i < 50 && status !== 429; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await login(app, email, ip)).status;
    }
    t.is(status, 429, 'the counts kept in Redis apply again');
    t.true(app.logger.lines.some((l) => l.level === 'info' && /answers again/.test(l.message)));
  } finally {
    await app.close();
    await redis.close();
  }
});

test.serial('with Redis absent at start the app starts anyway and serves the auth routes', async (t) => {
  const [app, ms] = await timed(startTestApp({ env: { ...LIMITS, REDIS_URL: `redis://127.0.0.1:${await freePort()}` } }));
  try {
    t.true(ms < 10_000, `started in ${ms} ms`);
    for (let i = 0; i < 4; i++) {
      const [res, took] = await timed(login(app, uniqueEmail(), '192.0.2.2'));
      t.is(res.status, 401);
      // The first login also starts a hashing thread and makes the dummy hash: on a loaded machine
      // that alone can take over a second. The bound is about Redis: no login waits on it.
      t.true(took < (i === 0 ? 5000 : 1500), `login ${i + 1} answered in ${took} ms`);
    }
    // Each Redis user (client, cache, limiter) reports the outage once; the limiter's report is this one.
    t.is(app.logger.lines.filter((l) => l.level === 'warn' && /rate-limit store/.test(l.message)).length, 1);
  } finally {
    await app.close();
  }
});
