import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BACKENDS, type Backend } from '../helpers/databases.js';
import { jwtClaims, recordQueries } from '../helpers/queries.js';
import { inspectRedis, OwnRedisServer, redisServerInstalled } from '../helpers/redis-servers.js';
import { PASSWORD, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

// An upper bound that catches a hang (a request waiting on a Redis that will not answer); not a
// performance target.
const HANG_BOUND_MS = 1500;

async function timedRequest(app: TestApp, path: string, init: Parameters<TestApp['request']>[1] = {}) {
  const start = performance.now();
  const res = await app.request(path, init);
  const body = res.status === 204 ? null : ((await res.json()) as Record<string, unknown>);
  return { status: res.status, body, ms: performance.now() - start };
}

/** Answers with the right status, within the bound. */
async function expectAnswer(t: ExecutionContext, app: TestApp, path: string, init: Parameters<TestApp['request']>[1], status: number) {
  const answer = await timedRequest(app, path, init);
  t.is(answer.status, status, `${init?.method ?? 'GET'} ${path}`);
  t.true(answer.ms < HANG_BOUND_MS, `${init?.method ?? 'GET'} ${path} took ${Math.round(answer.ms)} ms`);
  return answer;
}

/** Whether GET /api/users/me with that token was answered from the cache (no user or session query). */
async function servedFromCache(app: TestApp, accessToken: string): Promise<boolean> {
  const { sub, sid } = jwtClaims(accessToken) as { sub: string; sid: string };
  const recorded = recordQueries(app.container.knex);
  const res = await app.request('/api/users/me', { token: accessToken });
  recorded.stop();
  return res.status === 200 && recorded.about('users', sub).length === 0 && recorded.about('sessions', sid).length === 0;
}

async function untilServedFromCache(t: ExecutionContext, app: TestApp, accessToken: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await servedFromCache(app, accessToken)) return;
    await sleep(100);
  }
  t.fail('the cache was not used again within 10 s of Redis coming back');
}

/** Log lines since index `from` whose message starts so. */
const logged = (app: TestApp, from: number, start: string) => app.logger.lines.slice(from).filter((l) => l.message.startsWith(start));

/** Skips when the backend or redis-server is missing (fails instead under REQUIRE_SERVICES). */
async function ready(t: ExecutionContext, backend: Backend): Promise<boolean> {
  if (!(await backend.available())) {
    t.pass(`${backend.name} is not running`);
    return false;
  }
  if (!redisServerInstalled()) {
    t.pass('redis-server is not installed');
    return false;
  }
  return true;
}

// Serial: each test stops and starts a redis-server of its own, and measures answer times.
for (const backend of BACKENDS) {
  test.serial(
    `[${backend.name}] Redis down: requests answer from the database within the bound, logout still revokes, and a Redis back with stale entries does not resurrect the token`,
    async (t) => {
      if (!(await ready(t, backend))) return;
      const server = await OwnRedisServer.start();
      const redisKeyPrefix = `test:${randomBytes(6).toString('hex')}:`;
      const app = await startTestApp({ backend, env: { REDIS_URL: server.url }, redisKeyPrefix });
      try {
        const ann = await signUpAndLogIn(app);
        const second = await app.request('/api/auth/login', { method: 'POST', json: { email: ann.email, password: PASSWORD } });
        const other = (await second.json()) as { accessToken: string; refreshToken: string };

        // Redis up: the second request is answered from the cache.
        t.is((await app.request('/api/users/me', { token: ann.accessToken })).status, 200);
        await untilServedFromCache(t, app, ann.accessToken);

        // Redis keeps a snapshot holding Ann's session as live, then dies.
        await server.snapshot();
        const outageStart = app.logger.lines.length;
        await server.stop();

        for (let i = 0; i < 5; i++) {
          const me = await expectAnswer(t, app, '/api/users/me', { token: ann.accessToken }, 200);
          t.like(me.body, { email: ann.email });
          await expectAnswer(t, app, '/api/users/me', { token: 'garbage.token.here' }, 401);
        }
        const notReady = await expectAnswer(t, app, '/ready', {}, 503);
        t.regex(String(notReady.body?.detail), /redis/);
        t.notRegex(String(notReady.body?.detail), /database/);

        // Logout while Redis is down: the old access token fails at once, the other session lives on.
        await expectAnswer(t, app, '/api/auth/logout', { method: 'POST', token: ann.accessToken, json: { refreshToken: ann.refreshToken } }, 204);
        await expectAnswer(t, app, '/api/users/me', { token: ann.accessToken }, 401);
        await expectAnswer(t, app, '/api/auth/refresh', { method: 'POST', json: { refreshToken: ann.refreshToken } }, 401);
        await expectAnswer(t, app, '/api/users/me', { token: other.accessToken }, 200);

        // Degraded mode is logged once for the whole outage, not per request.
        t.is(logged(app, outageStart, 'user cache unavailable').length, 1);
        t.is(logged(app, outageStart, 'Redis is unreachable').length, 1);
        const outageEnd = app.logger.lines.length;

        // Redis returns from the snapshot, which still says Ann's session is live.
        await server.start();
        const inspect = await inspectRedis(server.url);
        const sessionKeys = await inspect.keys(`${redisKeyPrefix}*:session:*`);
        t.deepEqual(await Promise.all(sessionKeys.map((key) => inspect.get(key))), ['1']);
        inspect.destroy();

        // The app uses Redis again without a restart...
        await untilServedFromCache(t, app, other.accessToken);
        t.is((await app.request('/ready')).status, 200);
        t.true(logged(app, outageEnd, 'user cache resynchronised').length >= 1);
        // ...and the stale entry does not bring the logged-out token back, now or once cached.
        for (let i = 0; i < 3; i++) t.is((await app.request('/api/users/me', { token: ann.accessToken })).status, 401);
      } finally {
        await app.close();
        await server.close();
      }
    },
  );

  test.serial(`[${backend.name}] an app started while Redis is down starts, serves from the database, and uses Redis once it comes up`, async (t) => {
    if (!(await ready(t, backend))) return;
    const server = await OwnRedisServer.create();
    // Start-up does not wait for Redis (a start that did would time this test out).
    const app = await startTestApp({ backend, env: { REDIS_URL: server.url } });
    try {
      const ann = await signUpAndLogIn(app);
      await expectAnswer(t, app, '/api/users/me', { token: ann.accessToken }, 200);
      await expectAnswer(t, app, '/api/users/me', { token: ann.accessToken }, 200);
      t.false(await servedFromCache(app, ann.accessToken));
      await expectAnswer(t, app, '/ready', {}, 503);

      await server.start();
      await untilServedFromCache(t, app, ann.accessToken);
      t.is((await app.request('/ready')).status, 200);
    } finally {
      await app.close();
      await server.close();
    }
  });
}
