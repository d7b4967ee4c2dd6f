import test from 'ava';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BENCH_METRICS_PATH, withBenchMetrics, type BenchMetrics } from '../../bench/bench-metrics.js';
import { PreparedStatement, StatementRunner } from '../../src/adapters/persistence/prepared-statement.js';
import { createDatabase } from '../../src/infrastructure/database.js';
import { postgresAvailable, TEST_DATABASE_URL } from '../helpers/databases.js';

test('the bench metrics count database queries per window and leave every other path to the app', async (t) => {
  const database = createDatabase({ databaseUrl: '', dataDir: ':memory:' });
  const { knex } = database;
  // PGlite boots on its first query, in long synchronous stretches (seconds on a loaded machine).
  // Booted between two requests, it left fetch's keep-alive socket idle past the server's
  // keepAliveTimeout while the event loop was stalled: the client, resuming first, wrote its next
  // request on the socket, and the server's overdue idle timer then destroyed it unread ("fetch
  // failed"). Booting before the first request leaves no socket idle across the stall.
  await knex.raw('select 0');
  const server = createServer(withBenchMetrics((_req, res) => void res.end('the app'), knex));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(async () => {
    server.close();
    await database.close();
  });
  const read = async (method: 'GET' | 'POST') => (await (await fetch(url + BENCH_METRICS_PATH, { method })).json()) as BenchMetrics;

  await read('POST');
  await knex.raw('select 1');
  await knex.raw('select 2');
  const window = await read('GET');
  t.is(window.dbQueries, 2);
  t.true(window.peakRssBytes > 0 && window.rssBytes > 0);
  t.true(window.eventLoopDelay.maxMs >= 0);

  t.is((await read('POST')).dbQueries, 2);
  t.is((await read('GET')).dbQueries, 0, 'POST starts a new window');
  t.is(await (await fetch(`${url}/api/users/me`)).text(), 'the app');

  t.is((await read('POST')).cpuProfile, undefined, 'windows are not profiled unless asked');
  await fetch(`${url}${BENCH_METRICS_PATH}?profile=1`, { method: 'POST' });
  await knex.raw('select 3');
  const profiled = (await read('POST')) as BenchMetrics & { cpuProfile?: { nodes?: unknown[]; samples?: unknown[] } };
  t.true(Array.isArray(profiled.cpuProfile?.nodes) && profiled.cpuProfile!.nodes!.length > 0, 'the closing POST answers the profile');
  t.is((await read('POST')).cpuProfile, undefined, 'and the next window is not profiled');
});

test('on PostgreSQL they count at the driver: prepared statements that skip knex count too', async (t) => {
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '' });
  const { knex } = database;
  const server = createServer(withBenchMetrics((_req, res) => void res.end('the app'), knex));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(async () => {
    server.close();
    await database.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${BENCH_METRICS_PATH}`;
  await knex.raw('select 0'); // opening the connection sends a query of knex's own (select version())
  await fetch(url, { method: 'POST' });
  await knex.raw('select 1');
  const statement = new PreparedStatement('test.bench_metrics.v1', 'SELECT ?::int AS n');
  const statements = new StatementRunner(knex, { readPool: database.readPool });
  t.deepEqual(await statements.read(statement, [1]), [{ n: 1 }]);
  t.deepEqual(await statements.read(statement, [2]), [{ n: 2 }]);
  t.is(((await (await fetch(url)).json()) as BenchMetrics).dbQueries, 3);
});
