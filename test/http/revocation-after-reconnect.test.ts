import test, { type ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { oneSchemaTwoInstances, postgresAvailable, redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { jwtClaims, recordQueries } from '../helpers/queries.js';
import { RedisLink } from '../helpers/redis-servers.js';
import { randomRedisPrefix, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

// Two instances of the app on one PostgreSQL schema and one Redis. B reaches Redis through a link
// the test cuts for 300 ms; once back, B resynchronises (a new cache generation) and keeps serving
// from the cache. A stays quiet meanwhile (no authenticated request, so it has not read the new
// generation), then performs a password reset. The old access token must be refused by B at once.

interface Pair {
  a: TestApp;
  b: TestApp;
  link: RedisLink;
}

async function twoInstances(t: ExecutionContext): Promise<Pair | null> {
  if (!(await postgresAvailable()) || !(await redisAvailable())) {
    t.pass('PostgreSQL or Redis is not running');
    return null;
  }
  const instances = await oneSchemaTwoInstances();
  const redisKeyPrefix = randomRedisPrefix();
  const link = await RedisLink.open(TEST_REDIS_URL);
  const a = await startTestApp({ backend: instances.backends[0], env: { REDIS_URL: TEST_REDIS_URL, REDIS_TIMEOUT_MS: '2000' }, redisKeyPrefix });
  // Only A delivers emails, so that A's mailer holds every link.
  const b = await startTestApp({
    backend: instances.backends[1],
    env: { REDIS_URL: link.url, REDIS_TIMEOUT_MS: '2000', OUTBOX_POLL_INTERVAL_MS: '3600000' },
    redisKeyPrefix,
  });
  t.teardown(async () => {
    await b.close();
    await a.close();
    await link.close();
    await instances.drop();
  });
  return { a, b, link };
}

const me = (app: TestApp, token: string) => app.request('/api/users/me', { token });

/** Whether B answered /me from the cache: 200 without reading the user or the session. */
async function servedFromCache(app: TestApp, accessToken: string): Promise<boolean> {
  const { sub, sid } = jwtClaims(accessToken) as { sub: string; sid: string };
  const recorded = recordQueries(app.container.knex);
  const res = await me(app, accessToken);
  recorded.stop();
  return res.status === 200 && recorded.about('users', sub).length === 0 && recorded.about('sessions', sid).length === 0;
}

async function untilServedFromCache(t: ExecutionContext, app: TestApp, accessToken: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await servedFromCache(app, accessToken)) return;
    await sleep(50);
  }
  t.fail('the cache was not used within 10 s');
}

/** Up to the reset on A: the user's token is cached by B under the generation B wrote after its reconnection. */
async function resetOnQuietInstance(t: ExecutionContext, { a, b, link }: Pair) {
  const user = await signUpAndLogIn(a);
  t.is((await me(a, user.accessToken)).status, 200);
  await untilServedFromCache(t, b, user.accessToken);

  const before = b.logger.lines.length;
  await link.cut(300);
  await untilServedFromCache(t, b, user.accessToken);
  t.true(
    b.logger.lines.slice(before).some((l) => l.message.startsWith('user cache resynchronised')),
    'B resynchronised after the cut',
  );

  const asked = await a.request('/api/auth/forgot-password', { method: 'POST', json: { email: user.email } });
  t.is(asked.status, 202);
  const token = a.mailer.lastToken('password-reset', user.email);
  const reset = await a.request('/api/auth/reset-password', { method: 'POST', json: { token, password: 'a brand new passphrase' } });
  t.is(reset.status, 204);
  return user;
}

test.serial('after B reconnected to Redis, a reset on quiet instance A is refused by B at once: 30 requests over 3 s, all 401', async (t) => {
  const pair = await twoInstances(t);
  if (!pair) return;
  const user = await resetOnQuietInstance(t, pair);
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) {
    statuses.push((await me(pair.b, user.accessToken)).status);
    await sleep(100);
  }
  t.deepEqual(statuses, Array(30).fill(401));
});

test.serial('after B reconnected to Redis, a reset on quiet instance A: requests alternating B and A are all refused', async (t) => {
  const pair = await twoInstances(t);
  if (!pair) return;
  const user = await resetOnQuietInstance(t, pair);
  const statuses: string[] = [];
  for (let i = 0; i < 30; i++) {
    const [name, app] = i % 2 === 0 ? (['B', pair.b] as const) : (['A', pair.a] as const);
    statuses.push(`${name} ${(await me(app, user.accessToken)).status}`);
    await sleep(100);
  }
  t.deepEqual(
    statuses,
    statuses.map((s) => `${s.slice(0, 1)} 401`),
  );
});
