import test from 'ava';
import { knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { MIGRATION_SUBJECTS, migrateDownThrough, migrateThrough } from '../../helpers/migrations.js';

const subjects = MIGRATION_SUBJECTS;

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
    // The repository reads the latest schema (DAV resource names, groups): the later migrations add to it only.
    await knex.migrate.latest();
    const repos = knexRepositories(knex, database);
    t.is(await repos.contacts.bookVersion(owner), 1);
    const start = await repos.contacts.changesSince(owner, null, 10);
    t.deepEqual(start.changes.map((c) => (c.deleted ? null : c.contact.firstName)).sort(), ['A', 'B']);
    const [a] = start.changes;
    t.true(await repos.contacts.delete(owner, a!.id));
    const after = await repos.contacts.changesSince(owner, start.next, 10);
    t.deepEqual(after.changes, [{ id: a!.id, deleted: true }]);
    await migrateDownThrough(knex, '20261206_20_trash_and_changes');
    const columns = await knex('contacts').columnInfo();
    t.false('deleted_at' in columns);
    t.is(Number((await knex('contacts').count({ n: '*' }))[0]!.n), 1, 'the trashed contact went with the column');
    await knex.migrate.latest();
    t.is((await repos.contacts.search(owner, { sort: 'created', limit: 10, offset: 0 })).total, 1);
  });
}
