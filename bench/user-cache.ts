/**
 * Per-request cost of GET /api/users/me without a user cache, with the in-process cache, and with
 * Redis. Not a test: run it by hand (`npm run bench:user-cache`), a few seconds per case.
 *
 *   BENCH_DURATION_S     seconds per case (default 5)
 *   BENCH_CONNECTIONS    concurrent connections (default 10)
 *   BENCH_DATABASE_URL   PostgreSQL (a throwaway schema is created and dropped); unset → in-memory PGlite
 *   BENCH_REDIS_URL      Redis for the third case (default redis://127.0.0.1:6379; keys under a random prefix)
 *
 * autocannon runs in the same process as the app, so absolute numbers are pessimistic; the point
 * is the difference between the cases, and the database queries each request costs.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { InMemoryUserCache } from '../src/adapters/cache/in-memory-user-cache.js';
import type { CachedAuth, UserCache } from '../src/application/ports/user-cache.js';
import { loadConfig } from '../src/infrastructure/config.js';
import { buildContainer } from '../src/infrastructure/container.js';
import { createDatabase, type Database } from '../src/infrastructure/database.js';
import { closeRedisClient, connectRedis, createRedisClient } from '../src/infrastructure/redis.js';
import { CapturingLogger, CapturingMailer } from '../test/fakes/fakes.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? '';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Every request goes to the database: the cost the cache saves. */
class NoUserCache implements UserCache {
  async get(): Promise<CachedAuth> {
    return { user: null, sessionActive: null };
  }
  async putUser(): Promise<void> {}
  async putSession(): Promise<void> {}
  async evictUser(): Promise<void> {}
  async evictSession(): Promise<void> {}
}

async function openDatabase(): Promise<Database & { drop(): Promise<void> }> {
  if (!DATABASE_URL) {
    const database = createDatabase({ databaseUrl: '', dataDir: ':memory:' });
    return { ...database, drop: database.close };
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const database = createDatabase({ databaseUrl: DATABASE_URL, dataDir: '', schema });
  await database.knex.raw('CREATE SCHEMA ??', [schema]);
  return {
    ...database,
    async drop() {
      await database.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await database.close();
    },
  };
}

/** The shared Redis keeps nothing of the run (SCAN + DEL under the run's own prefix, never FLUSHDB). */
async function deleteKeys(prefix: string): Promise<void> {
  const client = createRedisClient({ url: REDIS_URL });
  await connectRedis(client);
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
  await closeRedisClient(client);
}

async function redisAnswers(): Promise<boolean> {
  const client = createRedisClient({ url: REDIS_URL });
  const up = await connectRedis(client);
  await closeRedisClient(client);
  return up;
}

interface Result {
  name: string;
  requestsPerSecond: number;
  mean: number;
  p50: number;
  p99: number;
  errors: number;
  queriesPerRequest: number;
}

async function runCase(name: string, options: { cache?: UserCache; redis?: boolean }): Promise<Result> {
  const db = await openDatabase();
  const redisKeyPrefix = `bench:${randomBytes(6).toString('hex')}:`;
  const config = loadConfig({ BCRYPT_ROUNDS: '4', LOG_LEVEL: 'silent', NODE_ENV: 'test', ...(options.redis ? { REDIS_URL } : {}) });
  const container = await buildContainer(config, {
    database: db,
    mailer: new CapturingMailer(),
    logger: new CapturingLogger(),
    redisKeyPrefix,
    ...(options.cache ? { cache: options.cache } : {}),
  });
  const server = createServer(container.app.callback());
  try {
    const email = `bench.${randomBytes(4).toString('hex')}@example.com`;
    const password = 'a perfectly fine passphrase';
    const user = await container.useCases.registerUser({ username: 'Bench', email, password });
    await container.repos.users.markEmailVerified(user.id);
    const { accessToken } = await container.useCases.logIn({ email, password });

    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/users/me`;
    const headers = { authorization: `Bearer ${accessToken}` };
    await autocannon({ url, headers, connections: CONNECTIONS, amount: 200 }); // warm-up, fills the cache

    let queries = 0;
    const count = () => {
      queries += 1;
    };
    db.knex.on('query', count);
    const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION_S });
    db.knex.removeListener('query', count);
    return {
      name,
      requestsPerSecond: Math.round(result.requests.average),
      mean: result.latency.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      queriesPerRequest: Number((queries / Math.max(result.requests.total, 1)).toFixed(2)),
    };
  } finally {
    server.close();
    await container.close();
    await db.drop();
    if (options.redis) await deleteKeys(redisKeyPrefix);
  }
}

const results: Result[] = [];
results.push(await runCase('no cache (database every time)', { cache: new NoUserCache() }));
results.push(await runCase('in-process cache', { cache: new InMemoryUserCache(300) }));
if (await redisAnswers()) results.push(await runCase('Redis cache', { redis: true }));
else console.log(`Redis at ${REDIS_URL} does not answer: Redis case skipped`);

console.log(`GET /api/users/me, ${CONNECTIONS} connections, ${DURATION_S} s per case, database: ${DATABASE_URL ? 'PostgreSQL' : 'PGlite (in memory)'}`);
console.table(
  results.map((r) => ({
    case: r.name,
    'req/s': r.requestsPerSecond,
    'mean ms': r.mean,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'DB queries/req': r.queriesPerRequest,
    errors: r.errors,
  })),
);
