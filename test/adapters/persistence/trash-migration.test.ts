import test from 'ava';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { createDatabase, type Database } from '../../../src/infrastructure/database.js';
import { postgresAvailable, TEST_DATABASE_URL } from '../../helpers/databases.js';

/** Applies migrations one at a time until `name` is done. */
async function migrateThrough(knex: Knex, name: string): Promise<void> {
  for (;;) {
    const [done] = (await knex.migrate.list()) as [{ name: string }[], unknown];
    if (done.some((m) => m.name === name)) return;
    await knex.migrate.up();
  }
}

const subjects: { name: string; available: () => Promise<boolean>; open: () => Promise<Database & { drop: () => Promise<void> }> }[] = [
  {
    name: 'pglite',
    available: async () => true,
    open: async () => {
      const database = createDatabase({ databaseUrl: '', dataDir: ':memory:' });
      return { ...database, drop: database.close };
    },
  },
  {
    name: 'postgres',
    available: postgresAvailable,
    open: async () => {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema });
      await database.knex.raw('CREATE SCHEMA ??', [schema]);
      return {
        ...database,
        drop: async () => {
          await database.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
          await database.close();
        },
      };
    },
  },
];

for (const subject of subjects) {
  test(`[${subject.name}] the trash migration numbers existing contacts as the book's first change; down and up again`, async (t) => {
    if (!(await subject.available())) return t.pass(`${subject.name} is not running`);
    const database = await subject.open();
    const { knex } = database;
    t.teardown(database.drop);
    await migrateThrough(knex, '20261206_19_full_contacts');
    const [user] = await knex('users').insert({ username: 'Old', email: 'old@example.com', password_hash: 'x', avatar_url: 'x' }).returning('id');
    const owner = (user as { id: string }).id;
    await knex('contacts').insert([
      { user_id: owner, first_name: 'A', last_name: '' },
      { user_id: owner, first_name: 'B', last_name: '' },
    ]);
    await knex.migrate.up();
    const repos = knexRepositories(knex, database);
    t.is(await repos.contacts.bookVersion(owner), 1);
    const start = await repos.contacts.changesSince(owner, null, 10);
    t.deepEqual(start.changes.map((c) => (c.deleted ? null : c.contact.firstName)).sort(), ['A', 'B']);
    const [a] = start.changes;
    t.true(await repos.contacts.delete(owner, a!.id));
    const after = await repos.contacts.changesSince(owner, start.next, 10);
    t.deepEqual(after.changes, [{ id: a!.id, deleted: true }]);
    await knex.migrate.down();
    const columns = await knex('contacts').columnInfo();
    t.false('deleted_at' in columns);
    t.is(Number((await knex('contacts').count({ n: '*' }))[0]!.n), 1, 'the trashed contact went with the column');
    await knex.migrate.up();
    t.is((await repos.contacts.search(owner, { sort: 'created', limit: 10, offset: 0 })).total, 1);
  });
}
