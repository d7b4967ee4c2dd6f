import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisUserCache } from '../../src/adapters/cache/redis-user-cache.js';
import type { CachedAuth, UserCache } from '../../src/application/ports/user-cache.js';
import type { AuthUser } from '../../src/domain/user.js';
import { closeRedisClient, connectRedis, createRedisClient } from '../../src/infrastructure/redis.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { oneSchemaTwoInstances, postgresAvailable, redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { jwtClaims } from '../helpers/queries.js';
import { png } from '../helpers/images.js';
import { randomRedisPrefix, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';
import { form, upload } from '../helpers/uploads.js';

// Two instances of the app on one PostgreSQL schema and one Redis, as a deployment runs them. A
// request on instance A reads the user (or its session) from the database, and a password reset
// on instance B lands before A writes what it read into the shared cache. A's cache is the real
// RedisUserCache behind a gate that can hold (or delay) those writes: the seam that makes the race
// happen on demand.

/** The real cache, whose fills can be held until released or delayed at random. */
class GatedUserCache implements UserCache {
  private readonly holds = new Map<string, { reached: () => void; released: Promise<void> }>();
  /** Upper bound of a random delay before every fill, for the randomized race. */
  jitterMs = 0;

  constructor(private readonly inner: UserCache) {}

  /** The next fill of that user (putUser) or session (putSession) waits until `release()`. */
  hold(key: string): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.holds.set(key, { reached, released });
    return { reached: reachedPromise, release };
  }

  get(userId: string, sessionId: string): Promise<CachedAuth> {
    return this.inner.get(userId, sessionId);
  }

  async putUser(user: AuthUser): Promise<void> {
    await this.gate(user.id);
    await this.inner.putUser(user);
  }

  async putSession(sessionId: string, active: boolean): Promise<void> {
    await this.gate(sessionId);
    await this.inner.putSession(sessionId, active);
  }

  evictUser(userId: string, tokenVersion?: number): Promise<void> {
    return this.inner.evictUser(userId, tokenVersion);
  }

  evictSession(sessionId: string): Promise<void> {
    return this.inner.evictSession(sessionId);
  }

  private async gate(key: string): Promise<void> {
    const hold = this.holds.get(key);
    if (hold) {
      this.holds.delete(key);
      hold.reached();
      await hold.released;
    }
    if (this.jitterMs > 0) await sleep(Math.random() * this.jitterMs);
  }
}

interface Pair {
  a: TestApp;
  b: TestApp;
  gate: GatedUserCache;
  /** What the shared cache holds for a user and a session: the cached token version (null: none, or a floor) and the session flag. */
  cached(userId: string, sessionId: string): Promise<{ tokenVersion: number | null; session: string | null }>;
}

async function twoInstances(t: import('ava').ExecutionContext): Promise<Pair | null> {
  if (!(await postgresAvailable()) || !(await redisAvailable())) {
    t.pass('PostgreSQL or Redis is not running');
    return null;
  }
  const instances = await oneSchemaTwoInstances();
  const redisKeyPrefix = randomRedisPrefix();
  const clients = [0, 1].map(() => createRedisClient({ url: TEST_REDIS_URL }));
  await Promise.all(clients.map((client) => connectRedis(client)));
  const keyPrefix = `${redisKeyPrefix}auth:`;
  const gated = new RedisUserCache(clients[0]!, { ttlSeconds: 300, keyPrefix, commandTimeoutMs: 2000, logger: new CapturingLogger() });
  await gated.resync();
  // Read with a plain client: another RedisUserCache would rotate the generation.
  const cached = async (userId: string, sessionId: string) => {
    const generation = await clients[1]!.get(`${keyPrefix}generation`);
    const [user, session] = await clients[1]!.mGet([`${keyPrefix}${generation}:user:${userId}`, `${keyPrefix}${generation}:session:${sessionId}`]);
    const entry = user ? (JSON.parse(user) as { id?: string; tokenVersion: number }) : null;
    return { tokenVersion: entry?.id ? entry.tokenVersion : null, session: session ?? null };
  };
  const gate = new GatedUserCache(gated);
  const env = { REDIS_URL: TEST_REDIS_URL, REDIS_TIMEOUT_MS: '2000' };
  // Only B delivers emails (A's requests never drain an email B's test reads before B does).
  const a = await startTestApp({ backend: instances.backends[0], env: { ...env, OUTBOX_POLL_INTERVAL_MS: '3600000' }, redisKeyPrefix, cache: gate });
  const b = await startTestApp({ backend: instances.backends[1], env, redisKeyPrefix });
  t.teardown(async () => {
    await b.close();
    await a.close();
    await Promise.all(clients.map((client) => closeRedisClient(client)));
    await instances.drop();
  });
  return { a, b, gate, cached };
}

/** Asks B for a reset link (either instance may have delivered the email); its token. */
async function askReset({ a, b }: Pair, email: string): Promise<string> {
  const asked = await b.request('/api/auth/forgot-password', { method: 'POST', json: { email } });
  if (asked.status !== 202) throw new Error(`forgot-password answered ${asked.status}`);
  await a.flushOutbox();
  return (b.mailer.last('password-reset', email) ? b.mailer : a.mailer).lastToken('password-reset', email);
}

async function useReset({ b }: Pair, token: string): Promise<void> {
  const reset = await b.request('/api/auth/reset-password', { method: 'POST', json: { token, password: 'a brand new passphrase' } });
  if (reset.status !== 204) throw new Error(`reset-password answered ${reset.status}`);
}

async function resetOn(pair: Pair, email: string): Promise<void> {
  await useReset(pair, await askReset(pair, email));
}

const me = (app: TestApp, token: string) => app.request('/api/users/me', { token });

test.serial('a request on A that read the user before a reset on B cannot put the old token version back into the shared cache', async (t) => {
  const pair = await twoInstances(t);
  if (!pair) return;
  const { a, b, gate, cached } = pair;
  const user = await signUpAndLogIn(b);
  const sessionId = jwtClaims(user.accessToken).sid as string;
  t.is((await me(a, user.accessToken)).status, 200); // the session is cached live
  t.is((await upload(b, user.accessToken, form(png(4, 4)))).status, 200); // a new avatar evicts the user, not the session
  t.like(await cached(user.userId, sessionId), { tokenVersion: null, session: '1' });

  const held = gate.hold(user.userId);
  const racing = me(a, user.accessToken); // reads the user (version 0) from the database, then waits
  await held.reached;
  await resetOn(pair, user.email);
  held.release(); // and now writes version 0
  t.is((await racing).status, 200, 'it was authenticated before the reset');

  t.is((await cached(user.userId, sessionId)).tokenVersion, null, 'the old version is back in the cache');
  for (const app of [a, b, a, b]) t.is((await me(app, user.accessToken)).status, 401);
});

test.serial('a request on A that read a live session before a reset on B cannot mark it live again', async (t) => {
  const pair = await twoInstances(t);
  if (!pair) return;
  const { a, b, gate, cached } = pair;
  const user = await signUpAndLogIn(b);
  const sessionId = jwtClaims(user.accessToken).sid as string;

  const held = gate.hold(sessionId);
  const racing = me(a, user.accessToken); // reads the live session from the database, then waits
  await held.reached;
  await resetOn(pair, user.email);
  held.release();
  await racing;

  t.is((await cached(user.userId, sessionId)).session, '0', 'the reset left a tombstone, as a logout does');
  for (const app of [a, b, a, b]) t.is((await me(app, user.accessToken)).status, 401);
});

test.serial('randomized: requests on both instances racing a reset never leave the old token usable', async (t) => {
  const pair = await twoInstances(t);
  if (!pair) return;
  const { a, b, gate } = pair;
  gate.jitterMs = 150; // A's fills land at random, some well after what they read
  const rounds = 15;
  let before = 0;
  let after = 0;
  for (let round = 0; round < rounds; round++) {
    const user = await signUpAndLogIn(b);
    const token = await askReset(pair, user.email);
    let running = true;
    let evicting = true;
    // Workers keep asking on both instances around the reset. Until it is done, the user entry is
    // evicted now and then (as a profile change on another instance would), so that fills from the
    // database are under way when it commits.
    const workers = Array.from({ length: 6 }, async (_, i) => {
      const statuses: number[] = [];
      while (running) {
        statuses.push((await me(i % 2 ? a : b, user.accessToken)).status);
        await sleep(Math.random() * 5);
      }
      return statuses;
    });
    const evictor = (async () => {
      while (evicting) {
        await gate.evictUser(user.userId);
        await sleep(Math.random() * 4);
      }
    })();
    await sleep(Math.random() * 30);
    await useReset(pair, token);
    evicting = false;
    await sleep(30);
    running = false;
    const statuses = (await Promise.all(workers)).flat();
    await evictor;
    before += statuses.filter((s) => s === 200).length;
    after += statuses.filter((s) => s === 401).length;
    t.deepEqual(
      statuses.filter((s) => s !== 200 && s !== 401),
      [],
      `round ${round}`,
    );
    await sleep(200); // every delayed fill has landed
    for (const app of [a, b, a, b]) t.is((await me(app, user.accessToken)).status, 401, `round ${round}`);
  }
  t.log(`${rounds} rounds; racing requests: ${before} authenticated (before the reset), ${after} refused`);
});
