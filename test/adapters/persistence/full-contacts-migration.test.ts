import test from 'ava';
import { knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { ContactEmailTaken } from '../../../src/domain/contact.errors.js';
import { EMPTY_CONTACT_FIELDS } from '../../../src/domain/contact.js';
import { MIGRATION_SUBJECTS, migrateDownThrough, migrateThrough } from '../../helpers/migrations.js';

const subjects = MIGRATION_SUBJECTS;

/** More rows than one batch of the migration's backfill (1,000). */
const BULK = 1203;

for (const subject of subjects) {
  test(`[${subject.name}] the full-contacts migration keeps every contact written by the previous schema, and search and the email check work on them`, async (t) => {
    if (!(await subject.available())) return t.pass(`${subject.name} is not running`);
    const database = await subject.open();
    const { knex } = database;
    t.teardown(database.drop);
    await migrateThrough(knex, '20261206_18_email_change_issues');
    const users = await knex('users')
      .insert([
        { username: 'Old', email: 'old@example.com', password_hash: 'x', avatar_url: 'x' },
        { username: 'Other', email: 'other@example.com', password_hash: 'x', avatar_url: 'x' },
      ])
      .returning('id');
    const [owner, other] = users.map((u: { id: string }) => u.id as string);
    // Rows as the code of schema 18 wrote them (a day without a year in the year 4).
    const old = [
      {
        user_id: owner,
        first_name: 'Zoë',
        last_name: 'Nguyễn',
        email: 'Zoe.Nguyen@Example.com',
        phone: '+1 (555) 010-0',
        birthday: '2000-02-29',
        notes: 'line one\nline two',
      },
      { user_id: owner, first_name: 'Solo', last_name: '', email: null, phone: null, birthday: '0004-12-24', notes: null },
      { user_id: owner, first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', phone: null, birthday: null, notes: null },
      { user_id: other, first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', phone: '555 0199', birthday: null, notes: null },
    ];
    const ids: string[] = (await knex('contacts').insert(old).returning('id')).map((r: { id: string }) => r.id);
    const bulk = Array.from({ length: BULK }, (_, i) => ({
      user_id: other,
      first_name: `Bulk${i}`,
      last_name: 'Row',
      email: `bulk${i}@example.com`,
      phone: `555 ${String(i).padStart(4, '0')}`,
      birthday: '1990-01-01',
      notes: null,
    }));
    for (let start = 0; start < bulk.length; start += 500) await knex('contacts').insert(bulk.slice(start, start + 500));

    await knex.migrate.latest();
    const repos = knexRepositories(knex, database);
    const [zoe, solo, ann, theirAnn] = await Promise.all(ids.map((id, i) => repos.contacts.findById(i === 3 ? other! : owner!, id)));
    t.deepEqual(
      { ...zoe!, createdAt: '', updatedAt: '' },
      {
        ...EMPTY_CONTACT_FIELDS,
        id: ids[0]!,
        userId: owner!,
        firstName: 'Zoë',
        lastName: 'Nguyễn',
        emails: [{ value: 'Zoe.Nguyen@Example.com', label: 'other' }],
        phones: [{ value: '+1 (555) 010-0', label: 'other' }],
        birthday: '2000-02-29',
        notes: 'line one\nline two',
        version: 1,
        photo: null,
        card: null,
        createdAt: '',
        updatedAt: '',
      },
    );
    t.like(solo, { firstName: 'Solo', lastName: '', emails: [], phones: [], birthday: '--12-24', notes: null, labels: [], version: 1 });
    t.like(ann, { emails: [{ value: 'ann@example.com', label: 'other' }], phones: [] });
    t.like(theirAnn, { phones: [{ value: '555 0199', label: 'other' }] });

    // What search reads was computed for the old rows as the repository computes it.
    const find = async (ownerId: string, q: Record<string, string>) =>
      (await repos.contacts.search(ownerId, { sort: 'created', limit: 100, offset: 0, ...q })).items.map((c) => c.id);
    t.deepEqual(await find(owner!, { q: 'zoe nguyen' }), [ids[0]]);
    t.deepEqual(await find(owner!, { q: 'NGUYEN' }), [ids[0]]);
    t.deepEqual(await find(owner!, { q: '5550100' }), [ids[0]]);
    // One INSERT gave the old rows one created_at: compared without their order.
    t.deepEqual((await find(owner!, { email: 'EXAMPLE.COM' })).sort(), [ids[0], ids[2]].sort());
    t.deepEqual(await find(owner!, { q: 'ann', sort: 'relevance' }), [ids[2]]);
    t.deepEqual(await find(owner!, { sort: 'name' }), [ids[1], ids[2], ids[0]]);
    t.is((await repos.contacts.search(other!, { q: 'bulk1202', sort: 'created', limit: 10, offset: 0 })).total, 1);
    t.is((await repos.contacts.search(other!, { q: '5551202', sort: 'created', limit: 10, offset: 0 })).total, 1);
    t.is((await repos.contacts.search(other!, { q: 'row', sort: 'created', limit: 10, offset: 0 })).total, BULK);
    // The old emails are still refused over REST, and no longer unique for CardDAV.
    const refused = await t.throwsAsync(
      repos.contacts.create(
        owner!,
        { fields: { ...EMPTY_CONTACT_FIELDS, firstName: 'Again', emails: [{ value: 'ANN@example.com', label: 'home' }] } },
        'refuse',
      ),
      { instanceOf: ContactEmailTaken },
    );
    t.is(refused?.holderId, ids[2]);
    await t.notThrowsAsync(
      repos.contacts.create(
        owner!,
        { fields: { ...EMPTY_CONTACT_FIELDS, firstName: 'Synced', emails: [{ value: 'ann@example.com', label: 'home' }] } },
        'allow',
      ),
    );
    t.deepEqual(
      (await repos.contacts.upcomingBirthdays(owner!, '2027-12-20', 7)).map((c) => c.id),
      [ids[1]],
    );

    const { rows: indexes } = (await knex.raw(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts' AND schemaname = current_schema() ORDER BY indexname",
    )) as {
      rows: { indexname: string }[];
    };
    const names = indexes.map((i) => i.indexname);
    for (const index of ['contacts_email_keys', 'contacts_label_keys', 'contacts_user_name', 'contacts_search_text_trgm']) t.true(names.includes(index), index);
    t.false(names.includes('contacts_user_email_lower_unique'));
  });

  test(`[${subject.name}] the full-contacts migration goes back down with the first email and phone`, async (t) => {
    if (!(await subject.available())) return t.pass(`${subject.name} is not running`);
    const database = await subject.open();
    const { knex } = database;
    t.teardown(database.drop);
    await knex.migrate.latest();
    const [user] = await knex('users').insert({ username: 'U', email: 'u@example.com', password_hash: 'x', avatar_url: 'x' }).returning('id');
    const repos = knexRepositories(knex, database);
    const fields = {
      ...EMPTY_CONTACT_FIELDS,
      firstName: 'Two',
      emails: [
        { value: 'first@example.com', label: 'work' },
        { value: 'second@example.com', label: 'home' },
      ],
      phones: [{ value: '555 0100', label: 'mobile' }],
    };
    const created = await repos.contacts.create(user.id, { fields }, 'refuse');
    // Down through the later migrations, then this one (the last to hold `emails`).
    await migrateDownThrough(knex, '20261206_19_full_contacts');
    const row = await knex('contacts').where('id', created.id).first();
    t.like(row, { firstName: 'Two', email: 'first@example.com', phone: '555 0100' });
    t.false('emails' in row);
  });
}
