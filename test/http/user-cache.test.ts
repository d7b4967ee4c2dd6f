import type { ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { BACKENDS, TEST_REDIS_URL } from '../helpers/databases.js';
import { jwtClaims, recordQueries } from '../helpers/queries.js';
import { redisAvailable } from '../helpers/databases.js';
import { eachBackend, PASSWORD, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';

const WITH_REDIS = { env: { REDIS_URL: TEST_REDIS_URL } };

/** The shared Redis is down (and not required): nothing to check. */
async function redisMissing(t: ExecutionContext): Promise<boolean> {
  if (await redisAvailable()) return false;
  t.pass('Redis is not running');
  return true;
}

async function cachedRequestRunsNoUserQuery(t: ExecutionContext, app: TestApp): Promise<void> {
  const { accessToken, email, userId } = await signUpAndLogIn(app);
  const sessionId = jwtClaims(accessToken).sid as string;

  const first = recordQueries(app.container.knex);
  t.is((await app.request('/api/users/me', { token: accessToken })).status, 200);
  first.stop();
  // The first request fills the cache from the database: the count can see queries.
  t.true(first.about('users', userId).length > 0);
  t.true(first.about('sessions', sessionId).length > 0);

  // A loaded test machine may make a Redis call time out, and that request miss; the next ones hit.
  for (let attempt = 1; ; attempt++) {
    const cached = recordQueries(app.container.knex);
    const res = await app.request('/api/users/me', { token: accessToken });
    cached.stop();
    t.is(res.status, 200);
    t.like(await res.json(), { email, emailVerified: true });
    const ran = [...cached.about('users', userId), ...cached.about('sessions', sessionId)];
    if (ran.length === 0 || attempt === 5) {
      t.deepEqual(ran, [], 'a cached request still queried the database');
      return;
    }
    await sleep(300);
  }
}

eachBackend(BACKENDS, (it) => {
  it('without REDIS_URL, a cached GET /api/users/me queries neither users nor sessions', cachedRequestRunsNoUserQuery);
});

eachBackend(
  BACKENDS,
  (it) => {
    it('with Redis, a cached GET /api/users/me queries neither users nor sessions', async (t, app) => {
      if (await redisMissing(t)) return;
      await cachedRequestRunsNoUserQuery(t, app);
    });

    it('with Redis, logout makes the cached access token fail on the very next request; other sessions live on', async (t, app) => {
      if (await redisMissing(t)) return;
      const one = await signUpAndLogIn(app);
      const login = await app.request('/api/auth/login', { method: 'POST', json: { email: one.email, password: PASSWORD } });
      const other = (await login.json()) as { accessToken: string };
      for (let i = 0; i < 2; i++) t.is((await app.request('/api/users/me', { token: one.accessToken })).status, 200);
      t.is((await app.request('/api/users/me', { token: other.accessToken })).status, 200);

      const out = await app.request('/api/auth/logout', { method: 'POST', token: one.accessToken, json: { refreshToken: one.refreshToken } });
      t.is(out.status, 204);
      const refused = await app.request('/api/users/me', { token: one.accessToken });
      t.is(refused.status, 401);
      t.like(await refused.json(), { code: 'UNAUTHENTICATED' });
      t.is((await app.request('/api/users/me', { token: other.accessToken })).status, 200);
    });

    it('with Redis, a replayed refresh token ends the session for the cached access token too', async (t, app) => {
      if (await redisMissing(t)) return;
      const first = await signUpAndLogIn(app);
      const rotated = await app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken: first.refreshToken } });
      const second = (await rotated.json()) as { accessToken: string };
      t.is((await app.request('/api/users/me', { token: second.accessToken })).status, 200);
      t.is((await app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken: first.refreshToken } })).status, 401);
      t.is((await app.request('/api/users/me', { token: second.accessToken })).status, 401);
    });

    it('with Redis, /ready checks it and answers 200 naming database and redis', async (t, app) => {
      if (await redisMissing(t)) return;
      const ready = await app.request('/ready');
      t.is(ready.status, 200);
      t.like(await ready.json(), { checks: { database: 'ok', redis: 'ok' } });
    });
  },
  WITH_REDIS,
);
