import test from 'ava';
import type { Knex } from 'knex';
import { knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { EMPTY_CONTACT_FIELDS } from '../../../src/domain/contact.js';
import { postgresAvailable } from '../../helpers/databases.js';
import { MIGRATION_SUBJECTS, migrateDownThrough } from '../../helpers/migrations.js';

const subjects = MIGRATION_SUBJECTS;

/** The contacts table's indexes, by name, with their definitions. */
async function indexes(knex: Knex): Promise<Map<string, string>> {
  const { rows } = (await knex.raw(
    `SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'contacts'::regclass`,
  )) as { rows: { name: string; definition: string }[] };
  return new Map(rows.map((row) => [row.name, row.definition]));
}

for (const subject of subjects) {
  test(`[${subject.name}] the live-contacts index replaces the whole table's creation-order index; down and up again, the list the same`, async (t) => {
    if (!(await subject.available())) return t.pass(`${subject.name} is not running`);
    const database = await subject.open();
    const { knex } = database;
    t.teardown(database.drop);
    await knex.migrate.latest();
    const [user] = await knex('users').insert({ username: 'Owner', email: 'owner@example.com', password_hash: 'x', avatar_url: 'x' }).returning('id');
    const owner = (user as { id: string }).id;
    const repos = knexRepositories(knex, database);
    for (const name of ['A', 'B', 'C']) await repos.contacts.create(owner, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: name } }, 'allow');
    const listed = async () => {
      const page = await repos.contacts.search(owner, { sort: 'created', limit: 10, offset: 0 });
      return { names: page.items.map((c) => c.firstName), total: page.total };
    };
    const [, b] = (await repos.contacts.search(owner, { sort: 'created', limit: 10, offset: 0 })).items;
    t.true(await repos.contacts.delete(owner, b!.id));

    const live = await indexes(knex);
    t.regex(live.get('contacts_user_live') ?? '', /\(user_id, created_at, id\) WHERE \(deleted_at IS NULL\)/);
    t.false(live.has('contacts_user_created'));
    t.deepEqual(await listed(), { names: ['A', 'C'], total: 2 });

    // Down through this migration (and any later one), the list read with the repository of the schema before.
    await migrateDownThrough(knex, '20261206_23_live_contacts_index');
    const before = await indexes(knex);
    t.regex(before.get('contacts_user_created') ?? '', /\(user_id, created_at, id\)$/);
    t.false(before.has('contacts_user_live'));
    t.deepEqual(await listed(), { names: ['A', 'C'], total: 2 });

    await knex.migrate.latest();
    t.true((await indexes(knex)).has('contacts_user_live'));
    t.deepEqual(await listed(), { names: ['A', 'C'], total: 2 });
  });
}

test('[postgres] the plain list counts the live contacts from the index alone', async (t) => {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  const database = await subjects[1]!.open();
  const { knex } = database;
  t.teardown(database.drop);
  await knex.migrate.latest();
  const [user] = await knex('users').insert({ username: 'Owner', email: 'owner@example.com', password_hash: 'x', avatar_url: 'x' }).returning('id');
  const owner = (user as { id: string }).id;
  await knex.raw(
    `INSERT INTO contacts (user_id, first_name, last_name, created_at, deleted_at)
      SELECT ?, 'F' || g, 'L', now() + g * interval '1 ms', CASE WHEN g % 10 = 0 THEN now() END FROM generate_series(1, 200) g`,
    [owner],
  );
  // Index-only needs the pages marked all-visible; another session's open snapshot (a parallel test) can delay that.
  for (let attempt = 0; attempt < 10; attempt++) {
    await knex.raw('VACUUM ANALYZE contacts');
    const { rows } = (await knex.raw(`SELECT relallvisible >= relpages AS visible FROM pg_class WHERE oid = 'contacts'::regclass`)) as {
      rows: { visible: boolean }[];
    };
    if (rows[0]?.visible) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // A table this small is otherwise read whole; what is asked is whether the count needs the table at all.
  const plan = await knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    await trx.raw('SET LOCAL enable_bitmapscan = off');
    const { rows } = (await trx.raw('EXPLAIN SELECT count(*) FROM contacts WHERE user_id = ? AND deleted_at IS NULL', [owner])) as {
      rows: { 'QUERY PLAN': string }[];
    };
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
  t.regex(plan, /Index Only Scan using contacts_user_live/);
});
