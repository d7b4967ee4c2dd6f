import test from 'ava';
import { EMPTY_CONTACT_FIELDS } from '../../../src/domain/contact.js';
import { KnexUnitOfWork, knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { PreparedStatement, type StatementPool, StatementRunner } from '../../../src/adapters/persistence/prepared-statement.js';
import { createDatabase } from '../../../src/infrastructure/database.js';
import { BACKENDS, postgresAvailable, postgresBackend, TEST_DATABASE_POOLER, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases.js';

const ECHO = new PreparedStatement('test.echo.v1', `SELECT ?::int AS "first", ?::text AS "secondValue", ?::text IS NULL AS "thirdIsNull"`);
const USERS_NAMED = new PreparedStatement('test.users_named.v1', 'SELECT username FROM users WHERE username = ?');
const FAILS = new PreparedStatement('test.fails.v1', 'SELECT 1 / ?::int AS "quotient"');

for (const backend of BACKENDS) {
  let database: Promise<TestDatabase> | undefined;
  const db = () => (database ??= backend.create());
  test.after.always(async () => {
    if (database) await (await database).drop();
  });

  test(`[${backend.name}] the values fill the placeholders in order, and the rows keep the aliases as written`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const statements = new StatementRunner((await db()).knex, await db());
    t.deepEqual(await statements.read(ECHO, [7, 'seven', null]), [{ first: 7, secondValue: 'seven', thirdIsNull: true }]);
    t.deepEqual(
      await statements.read(ECHO, [8, 'eight', 'x']),
      [{ first: 8, secondValue: 'eight', thirdIsNull: false }],
      'the same statement again, other values',
    );
  });

  test(`[${backend.name}] inside a transaction it reads the transaction's own uncommitted rows`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const database = await db();
    const { knex } = database;
    const username = `prepared-${Date.now()}`;
    await knex
      .transaction(async (trx) => {
        await trx('users').insert({ username, email: `${username}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
        // Given the read pool, it still reads on the transaction's connection.
        t.deepEqual(await new StatementRunner(trx, database).read(USERS_NAMED, [username]), [{ username }]);
        if (backend.name === 'postgres') {
          // On the transaction's connection: pg prepared it under its name (unnamed behind a pooler).
          const prepared = await trx.raw('SELECT name FROM pg_prepared_statements WHERE name = ?', [USERS_NAMED.name]);
          t.is((prepared as { rows: unknown[] }).rows.length, TEST_DATABASE_POOLER === 'transaction' ? 0 : 1);
        }
        await trx.rollback();
      })
      .catch(() => {});
    t.deepEqual(await new StatementRunner(knex, database).read(USERS_NAMED, [username]), [], 'rolled back');
  });

  test(`[${backend.name}] a failing statement rejects and gives its connection back to the pool`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const database = await db();
    // More failures than either pool has connections: a leaked connection would make the last statements time out.
    // The read pool, then knex's pool alone; statements named as the database says (unnamed behind a pooler).
    const runners = [new StatementRunner(database.knex, database), new StatementRunner(database.knex, { namedStatements: database.namedStatements })];
    for (const statements of runners) {
      for (let i = 0; i < 12; i++) {
        await t.throwsAsync(statements.read(FAILS, [0]), { message: /division by zero/ });
        await t.throwsAsync(statements.write(FAILS, [0]), { message: /division by zero/ });
      }
      t.deepEqual(await statements.read(FAILS, [1]), [{ quotient: 1 }]);
      t.deepEqual(await statements.write(FAILS, [1]), [{ quotient: 1 }]);
    }
  });

  test(`[${backend.name}] a transaction of the runner commits its statements together; failed work rolls back, and a failed statement leaves no connection stuck`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const database = await db();
    const statements = new StatementRunner(database.knex, { namedStatements: database.namedStatements });
    const table = `runner_tx_${backend.name}`;
    await database.knex.raw('CREATE TABLE ?? (n int NOT NULL)', [table]);
    const insert = new PreparedStatement(null, `INSERT INTO ${table} (n) VALUES (?::int)`);
    const count = async () => Number(((await database.knex.raw('SELECT count(*) AS n FROM ??', [table])) as { rows: { n: string | number }[] }).rows[0]!.n);

    await statements.transaction(async (trx) => {
      await trx.write(insert, [1]);
      await trx.write(insert, [2]);
    });
    t.is(await count(), 2, 'committed');
    await t.throwsAsync(
      statements.transaction(async (trx) => {
        await trx.write(insert, [3]);
        throw new Error('the work refused');
      }),
      { message: 'the work refused' },
    );
    t.is(await count(), 2, 'rolled back after the work failed');
    // PGlite goes through knex's transaction, where a second transaction after one whose statement
    // failed waits for ever for the one connection (knex's PGlite client, before this runner had
    // transactions of its own): the failed statements are PostgreSQL's case.
    if (backend.name === 'pglite') return;
    // More failed transactions than knex's pool has connections: one kept in a failed transaction would be handed out again.
    for (let i = 0; i < 12; i++) {
      await t.throwsAsync(
        statements.transaction(async (trx) => {
          await trx.write(insert, [4]);
          await trx.write(FAILS, [0]);
        }),
        { message: /division by zero/ },
      );
    }
    t.is(await count(), 2, 'nothing of a transaction whose statement failed');
    await statements.transaction((trx) => trx.write(insert, [5]));
    t.is(await count(), 3, 'the pool still hands out working connections');
  });

  test(`[${backend.name}] 200 reads in parallel each get their own answer`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const statements = new StatementRunner((await db()).knex, await db());
    // More callers than the pool has connections (and, behind a pooler, than it has server
    // connections): a statement whose name a connection does not know would fail here.
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => statements.read(ECHO, [i, `n${i}`, null])));
    t.deepEqual(
      answers,
      Array.from({ length: 200 }, (_, i) => [{ first: i, secondValue: `n${i}`, thirdIsNull: true }]),
    );
  });
}

test('with DATABASE_POOLER=transaction the statement runs unnamed: nothing stays prepared on the server connection', async (t) => {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', pooler: 'transaction' });
  t.is(database.readPool, null, 'no read pool behind a transaction-mode pooler');
  t.false(database.namedStatements);
  try {
    await database.knex.transaction(async (trx) => {
      t.deepEqual(await new StatementRunner(trx, database).read(ECHO, [1, 'one', null]), [{ first: 1, secondValue: 'one', thirdIsNull: true }]);
      const prepared = await trx.raw('SELECT count(*)::int AS n FROM pg_prepared_statements');
      t.deepEqual((prepared as { rows: unknown[] }).rows, [{ n: 0 }]);
    });
  } finally {
    await database.close();
  }
});

test('a schema of its own cannot be asked for behind a transaction-mode pooler (search_path is session state)', (t) => {
  t.throws(() => createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', pooler: 'transaction', schema: 'x' }), { message: /transaction-mode pooler/ });
});

const BACKEND_PID = new PreparedStatement('test.backend_pid.v1', 'SELECT pg_backend_pid() AS pid, pg_sleep(?::float8) IS NULL AS slept');

test("on a direct connection the prepared reads have a pool of their own (DATABASE_READ_POOL_MAX) beside knex's, inside a transaction they use its connection, and close() ends both pools", async (t) => {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  if (TEST_DATABASE_POOLER === 'transaction') return t.pass('behind a transaction-mode pooler every statement goes through knex');
  // PGlite's migrations in this process hold the event loop for seconds: the default 5 s wait for a connection may pass meanwhile.
  const timeouts = { connectMs: 30_000, acquireMs: 45_000 };
  const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', poolMax: 4, readPoolMax: 2, timeouts });
  const { knex } = database;
  const statements = new StatementRunner(knex, database);
  const observer = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', poolMax: 1, readPoolMax: 0, timeouts });
  try {
    const pidsOf = (rows: { pid: number }[][]) => new Set(rows.map(([row]) => row!.pid));
    // Far more callers than either pool has connections, each holding its connection a while.
    const [prepared, built] = await Promise.all([
      Promise.all(Array.from({ length: 16 }, () => statements.read<{ pid: number }>(BACKEND_PID, [0.05]))).then(pidsOf),
      Promise.all(
        Array.from({ length: 16 }, () => knex.raw('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)').then((r) => (r as { rows: { pid: number }[] }).rows)),
      ).then(pidsOf),
    ]);
    t.is(prepared.size, 2, 'the read pool: 2 connections');
    t.is(built.size, 4, "knex's pool: 4 connections");
    t.deepEqual(
      [...prepared].filter((pid) => built.has(pid)),
      [],
      'two pools, no connection in both',
    );
    // Inside a transaction the statement runs on the transaction's connection, not the statement pool's.
    await knex.transaction(async (trx) => {
      const [row] = await new StatementRunner(trx, database).read<{ pid: number }>(BACKEND_PID, [0]);
      const [own] = ((await trx.raw('SELECT pg_backend_pid() AS pid')) as { rows: { pid: number }[] }).rows;
      t.is(row!.pid, own!.pid);
    });

    // Writes never take the read pool's connections.
    const written = pidsOf(await Promise.all(Array.from({ length: 8 }, () => statements.write<{ pid: number }>(BACKEND_PID, [0.02]))));
    t.deepEqual(
      [...written].filter((pid) => prepared.has(pid)),
      [],
      "writes run on knex's pool",
    );

    await database.close();
    const alive = async () =>
      (
        (await observer.knex.raw('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY(?)', [[...prepared, ...built, ...written]])) as {
          rows: { n: number }[];
        }
      ).rows[0]!.n;
    for (let waited = 0; (await alive()) > 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    t.is(await alive(), 0, 'every connection of both pools is closed');
  } finally {
    await database.close();
    await observer.close();
  }
});

test('a schema for the statement pool must be a plain identifier: it goes into a startup parameter', (t) => {
  t.throws(() => createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema: 'a b' }), { message: /unsupported schema name/ });
  t.notThrows(() => createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema: 'test_0a1b' }).close());
});

test("with DATABASE_READ_POOL_MAX=0 the prepared reads share knex's pool", async (t) => {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', pooler: TEST_DATABASE_POOLER, poolMax: 2, readPoolMax: 0 });
  t.is(database.readPool, null);
  try {
    const statements = new StatementRunner(database.knex, database);
    const rows = await Promise.all(Array.from({ length: 8 }, () => statements.read<{ pid: number }>(BACKEND_PID, [0.02])));
    // Behind a transaction-mode pooler each statement may land on another server connection: count knex's own.
    const pool = (database.knex.client as { pool: { numUsed(): number; numFree(): number } }).pool;
    t.true(pool.numUsed() + pool.numFree() <= 2, "knex's pool opened no more than its 2 connections");
    if (TEST_DATABASE_POOLER === 'none') t.true(new Set(rows.map(([row]) => row!.pid)).size <= 2, "no more connections than knex's pool has");
  } finally {
    await database.close();
  }
});

test('creating and closing a database patches nothing of knex: its client keeps the destroy of its class', async (t) => {
  const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', readPoolMax: 2 });
  t.not(database.readPool, null);
  t.false(Object.hasOwn(database.knex.client, 'destroy'));
  await database.close();
  await database.close();
  t.pass('closing twice is harmless');
});

test("the contact repository reads on the read pool given to its constructor, writes on knex's, and in a unit of work only on the transaction's connection", async (t) => {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  if (TEST_DATABASE_POOLER === 'transaction') return t.pass('behind a transaction-mode pooler there is no read pool');
  const database = await postgresBackend.create();
  t.teardown(database.drop);
  const seen: string[] = [];
  const readPool: StatementPool = {
    query: (config) => {
      seen.push(config.name ?? config.text);
      return database.readPool!.query({ ...config, name: config.name, values: [...config.values] });
    },
  };
  const repos = knexRepositories(database.knex, { readPool, namedStatements: true });
  const owner = await repos.users.create({ username: 'Reader', email: `reader-${Date.now()}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
  const fields = { ...EMPTY_CONTACT_FIELDS, firstName: 'Ann', lastName: 'Lee' };
  const contact = await repos.contacts.create(owner.id, { fields }, 'refuse');
  await repos.contacts.update(owner.id, contact.id, { fields: { notes: 'n' } }, 'refuse');
  t.deepEqual(seen, [], 'writes never reach the read pool');

  t.like(await repos.contacts.findById(owner.id, contact.id), { firstName: 'Ann', notes: 'n' });
  t.is((await repos.contacts.search(owner.id, { sort: 'created', limit: 20, offset: 0 })).total, 1);
  t.true(seen.length === 2 && seen[0]!.startsWith('contacts.find_by_id') && seen[1]!.startsWith('contacts.search.'), seen.join(', '));

  await new KnexUnitOfWork(database.knex, { readPool, namedStatements: true }).run(async (trx) => {
    t.like(await trx.contacts.findById(owner.id, contact.id), { firstName: 'Ann' });
  });
  t.is(seen.length, 2, 'a transaction reads on its own connection');
});
