import test from 'ava';
import { PreparedStatement } from '../../../src/adapters/persistence/prepared-statement.js';
import { createKnex } from '../../../src/infrastructure/database.js';
import { BACKENDS, postgresAvailable, TEST_DATABASE_POOLER, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/databases.js';

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
    const { knex } = await db();
    t.deepEqual(await ECHO.rows(knex, [7, 'seven', null]), [{ first: 7, secondValue: 'seven', thirdIsNull: true }]);
    t.deepEqual(await ECHO.rows(knex, [8, 'eight', 'x']), [{ first: 8, secondValue: 'eight', thirdIsNull: false }], 'the same statement again, other values');
  });

  test(`[${backend.name}] inside a transaction it reads the transaction's own uncommitted rows`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const { knex } = await db();
    const username = `prepared-${Date.now()}`;
    await knex
      .transaction(async (trx) => {
        await trx('users').insert({ username, email: `${username}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
        t.deepEqual(await USERS_NAMED.rows(trx, [username]), [{ username }]);
        if (backend.name === 'postgres') {
          // On the transaction's connection: pg prepared it under its name (unnamed behind a pooler).
          const prepared = await trx.raw('SELECT name FROM pg_prepared_statements WHERE name = ?', [USERS_NAMED.name]);
          t.is((prepared as { rows: unknown[] }).rows.length, TEST_DATABASE_POOLER === 'transaction' ? 0 : 1);
        }
        await trx.rollback();
      })
      .catch(() => {});
    t.deepEqual(await USERS_NAMED.rows(knex, [username]), [], 'rolled back');
  });

  test(`[${backend.name}] a failing statement rejects and gives its connection back to the pool`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const { knex } = await db();
    // More failures than the pool has connections: a leaked connection would make the last reads time out.
    for (let i = 0; i < 12; i++) await t.throwsAsync(FAILS.rows(knex, [0]), { message: /division by zero/ });
    t.deepEqual(await FAILS.rows(knex, [1]), [{ quotient: 1 }]);
  });

  test(`[${backend.name}] 200 reads in parallel each get their own answer`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const { knex } = await db();
    // More callers than the pool has connections (and, behind a pooler, than it has server
    // connections): a statement whose name a connection does not know would fail here.
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => ECHO.rows(knex, [i, `n${i}`, null])));
    t.deepEqual(
      answers,
      Array.from({ length: 200 }, (_, i) => [{ first: i, secondValue: `n${i}`, thirdIsNull: true }]),
    );
  });
}

test('with DATABASE_POOLER=transaction the statement runs unnamed: nothing stays prepared on the server connection', async (t) => {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  const knex = createKnex({ databaseUrl: TEST_DATABASE_URL, dataDir: '', pooler: 'transaction' });
  try {
    await knex.transaction(async (trx) => {
      t.deepEqual(await ECHO.rows(trx, [1, 'one', null]), [{ first: 1, secondValue: 'one', thirdIsNull: true }]);
      const prepared = await trx.raw('SELECT count(*)::int AS n FROM pg_prepared_statements');
      t.deepEqual((prepared as { rows: unknown[] }).rows, [{ n: 0 }]);
    });
  } finally {
    await knex.destroy();
  }
});

test('a schema of its own cannot be asked for behind a transaction-mode pooler (search_path is session state)', (t) => {
  t.throws(() => createKnex({ databaseUrl: TEST_DATABASE_URL, dataDir: '', pooler: 'transaction', schema: 'x' }), { message: /transaction-mode pooler/ });
});
