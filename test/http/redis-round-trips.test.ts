import test from 'ava';
import { inspectRedis, OwnRedisServer, redisServerInstalled } from '../helpers/redis-servers.js';
import { signUpAndLogIn, startTestApp } from '../helpers/test-app.js';

/**
 * What Redis itself counts (INFO stats) while the app serves requests one at a time: with nothing
 * else in flight, each batch the app writes is one read event on the server, so reads per request
 * are round trips per request. The redis-server is the test's own, so no other client is counted;
 * the inspecting connection's own INFO (one read, one command) is taken off.
 */
async function countRedis(url: string) {
  const inspector = await inspectRedis(url);
  const read = async () => {
    const info = await inspector.info('stats');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)![1]);
    return { reads: field('total_reads_processed'), commands: field('total_commands_processed') };
  };
  return {
    async during(work: () => Promise<void>) {
      const before = await read();
      await work();
      const after = await read();
      return { reads: after.reads - before.reads - 1, commands: after.commands - before.commands - 1 };
    },
    close: () => inspector.destroy(),
  };
}

test.serial('a cached authenticated request makes one Redis round trip: one script reads the session and counts the limit', async (t) => {
  if (!redisServerInstalled()) return t.pass('redis-server is not installed');
  const redis = await OwnRedisServer.start();
  const app = await startTestApp({ env: { REDIS_URL: redis.url, RATE_LIMIT_CONTACTS_MAX: '1000', RATE_LIMIT_CONTACT_CREATE_MAX: '1000' } });
  const counter = await countRedis(redis.url);
  try {
    const ann = await signUpAndLogIn(app);
    const created = await app.request('/api/contacts', {
      method: 'POST',
      token: ann.accessToken,
      json: { firstName: 'Zoë', lastName: 'Lee', email: 'zoe@example.com', phone: '+44 20 7946 0958', birthday: '1990-01-02' },
    });
    t.is(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    await app.request('/api/users/me', { token: ann.accessToken }); // the user and session are cached from here on

    const N = 20;
    // Commands Redis executes, those a script runs included: a contacts read is EVALSHA running one
    // MGET of the generation, user and session, and the budget's GET and SET; a creation spends two
    // budgets (GET and SET each); /me, limited by nothing, is one MGET.
    for (const [path, init, commands] of [
      [`/api/contacts/${id}`, {}, 4],
      ['/api/contacts?limit=20', {}, 4],
      ['/api/users/me', {}, 1],
      ['/api/contacts', { method: 'POST', json: { firstName: 'A', lastName: 'B', email: 'x{{n}}@example.com', phone: '12345', birthday: '1990-01-02' } }, 6],
    ] as const) {
      const statuses: number[] = [];
      let remaining = '';
      const counted = await counter.during(async () => {
        for (let i = 0; i < N; i++) {
          const json = 'json' in init ? { ...init.json, email: init.json.email.replace('{{n}}', String(i)) } : undefined;
          const res = await app.request(path, { token: ann.accessToken, ...('method' in init ? { method: init.method } : {}), ...(json ? { json } : {}) });
          statuses.push(res.status);
          remaining = res.headers.get('x-ratelimit-remaining') ?? '';
          await res.arrayBuffer();
        }
      });
      t.true(
        statuses.every((s) => s === 200 || s === 201),
        `${path}: ${statuses.join(',')}`,
      );
      t.is(counted.reads / N, 1, `${path}: Redis round trips per request`);
      t.is(counted.commands / N, commands, `${path}: Redis commands per request`);
      if (!path.startsWith('/api/users')) t.regex(remaining, /^\d+$/, `${path} was counted`);
    }
  } finally {
    await counter.close();
    await app.close();
    await redis.close();
  }
});
