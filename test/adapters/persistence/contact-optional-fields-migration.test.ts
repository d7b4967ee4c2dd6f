import test from 'ava';
import { EMPTY_CONTACT_FIELDS } from '../../../src/domain/contact.js';
import { knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { MIGRATION_SUBJECTS, migrateThrough } from '../../helpers/migrations.js';

const subjects = MIGRATION_SUBJECTS;

for (const subject of subjects) {
  test(`[${subject.name}] the optional-fields migration keeps every existing contact as it was, at version 1`, async (t) => {
    if (!(await subject.available())) return t.pass(`${subject.name} is not running`);
    const database = await subject.open();
    const { knex } = database;
    t.teardown(database.drop);
    await migrateThrough(knex, '20261125_001_contacts');
    const [user] = await knex('users').insert({ username: 'Old', email: 'old@example.com', password_hash: 'x', avatar_url: 'x' }).returning('id');
    const old = {
      user_id: user.id,
      first_name: 'Ann',
      last_name: 'Lee',
      email: 'ann@example.com',
      phone: '+1 555 0100',
      birthday: '2000-02-29',
      notes: 'kept',
    };
    const [row] = await knex('contacts').insert(old).returning('id');

    await knex.migrate.latest();
    const repos = knexRepositories(knex, database);
    t.like(await repos.contacts.findById(user.id, row.id), {
      firstName: 'Ann',
      lastName: 'Lee',
      emails: [{ value: 'ann@example.com', label: 'other' }],
      phones: [{ value: '+1 555 0100', label: 'other' }],
      birthday: '2000-02-29',
      notes: 'kept',
      version: 1,
    });
    const bare = await repos.contacts.create(user.id, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: 'New', birthday: '--02-29' } }, 'refuse');
    t.deepEqual((await repos.contacts.upcomingBirthdays(user.id, '2027-02-28', 0)).map((c) => c.id).sort(), [row.id, bare.id].sort());
  });
}
