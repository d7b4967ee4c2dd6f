import test from 'ava';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.js';
import { loadConfig } from '../../src/infrastructure/config.js';
import { buildContainer, type Container } from '../../src/infrastructure/container.js';
import { SchemaBehind } from '../../src/infrastructure/start-database.js';
import { createDatabase, migrateLatest } from '../../src/infrastructure/database.js';
import { CapturingLogger, CapturingMailer } from '../fakes/fakes.js';
import { postgresAvailable, TEST_DATABASE_POOLER, TEST_DATABASE_URL } from '../helpers/databases.js';

// Replicas of one deploy start at the same moment on one database: with MIGRATE_ON_START on, each
// runs the migrations and all must come up; with it off, a one-shot `npm run migrate` does it.

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database of its own (no knex tables yet), dropped after the test. */
async function freshDatabase(t: import('ava').ExecutionContext): Promise<string> {
  const name = `test_migrate_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  t.teardown(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.href;
}

function start(databaseUrl: string, env: Record<string, string> = {}): Promise<Container> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BCRYPT_ROUNDS: '4',
    DATABASE_URL: databaseUrl,
    DATABASE_POOLER: TEST_DATABASE_POOLER,
    ...env,
  });
  return buildContainer(config, { mailer: new CapturingMailer(), logger: new CapturingLogger() });
}

async function appliedMigrations(databaseUrl: string): Promise<{ names: string[]; lockRows: number }> {
  const database = createDatabase({ databaseUrl, dataDir: '', pooler: TEST_DATABASE_POOLER });
  const { knex } = database;
  try {
    const names = (await knex('knex_migrations').select('name').orderBy('id')).map((r: { name: string }) => r.name);
    const [lock] = await knex('knex_migrations_lock').count({ n: '*' });
    return { names, lockRows: Number(lock!.n) };
  } finally {
    await database.close();
  }
}

test('four replicas starting at once on an empty database all come up, and each migration is applied once', async (t) => {
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  const url = await freshDatabase(t);
  const started = await Promise.allSettled([start(url), start(url), start(url), start(url)]);
  try {
    t.deepEqual(
      started.map((s) => (s.status === 'fulfilled' ? 'up' : String((s.reason as Error).message))),
      ['up', 'up', 'up', 'up'],
    );
    for (const s of started) {
      if (s.status === 'fulfilled') t.like((await s.value.knex('users').count({ n: '*' }))[0], { n: '0' }, 'the schema is in place');
    }
  } finally {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  }
  const { names, lockRows } = await appliedMigrations(url);
  t.deepEqual(names, await migrationSource.getMigrations([]));
  t.is(lockRows, 1, 'one lock row, so later starts can still take the lock');
});

test('the migration entry point run concurrently with starting replicas leaves one copy of each migration', async (t) => {
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  const url = await freshDatabase(t);
  const databases = [0, 1, 2].map(() => createDatabase({ databaseUrl: url, dataDir: '', pooler: TEST_DATABASE_POOLER }));
  try {
    await Promise.all(databases.map((database) => migrateLatest(database.knex)));
  } finally {
    await Promise.all(databases.map((database) => database.close()));
  }
  const { names, lockRows } = await appliedMigrations(url);
  t.deepEqual(names, await migrationSource.getMigrations([]));
  t.is(lockRows, 1);
});

test('with MIGRATE_ON_START=false a replica refuses to start on a database that lacks migrations, and starts once they ran', async (t) => {
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  const url = await freshDatabase(t);
  const refused = await t.throwsAsync(start(url, { MIGRATE_ON_START: 'false' }), { instanceOf: SchemaBehind });
  t.deepEqual(refused!.pending, await migrationSource.getMigrations([]));
  t.regex(refused!.message, /npm run migrate/);
  // The refusal wrote nothing: the one-shot migration then runs from scratch.
  const database = createDatabase({ databaseUrl: url, dataDir: '', pooler: TEST_DATABASE_POOLER });
  try {
    t.false(await database.knex.schema.hasTable('knex_migrations'));
    await migrateLatest(database.knex);
  } finally {
    await database.close();
  }
  const container = await start(url, { MIGRATE_ON_START: 'false' });
  try {
    const ready = await container.knex.raw('select 1 as ok');
    t.deepEqual((ready as { rows: unknown[] }).rows, [{ ok: 1 }]);
  } finally {
    await container.close();
  }
});

test('DATABASE_POOLER=transaction reaches the app: its reads leave no named statement on the server', async (t) => {
  if (!(await postgresAvailable())) return t.pass('PostgreSQL is not running');
  const url = await freshDatabase(t);
  // One connection each, read pool off: the count below runs on the connection the read used.
  const direct = await start(url, { DATABASE_POOL_MAX: '1', DATABASE_READ_POOL_MAX: '0' });
  const pooled = await start(url, { DATABASE_POOLER: 'transaction', DATABASE_POOL_MAX: '1' });
  try {
    const preparedAfterRead = async (container: Container) => {
      // The contact repository's read by id, as the app's wiring made the repository.
      await container.repos.contacts.findById('00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000000');
      return ((await container.knex.raw('SELECT count(*)::int AS n FROM pg_prepared_statements')) as { rows: [{ n: number }] }).rows[0].n;
    };
    t.is(await preparedAfterRead(pooled), 0);
    if (TEST_DATABASE_POOLER === 'none') t.is(await preparedAfterRead(direct), 1, 'a direct connection keeps its named statement');
  } finally {
    await direct.close();
    await pooled.close();
  }
});
