import test from 'ava';
import type { Knex } from 'knex';
import { KnexContactRepository } from '../../../src/adapters/persistence/knex-contact-repository.js';
import { knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { EMPTY_CONTACT_FIELDS } from '../../../src/domain/contact.js';
import type { SyncPosition } from '../../../src/domain/sync.js';
import { postgresAvailable } from '../../helpers/databases.js';
import { MIGRATION_SUBJECTS, migrateDownThrough } from '../../helpers/migrations.js';

const MIGRATION = '20261206_25_contacts_feed_page';

async function owner(knex: Knex): Promise<string> {
  const [user] = await knex('users').insert({ username: 'Owner', email: 'owner@example.com', password_hash: 'x', avatar_url: 'x' }).returning('id');
  return (user as { id: string }).id;
}

const feedFunctions = async (knex: Knex) =>
  (
    (await knex.raw(`SELECT proname FROM pg_proc WHERE proname = 'contacts_feed_page' AND pronamespace = current_schema()::regnamespace`)) as {
      rows: unknown[];
    }
  ).rows.length;

for (const subject of MIGRATION_SUBJECTS) {
  test(`[${subject.name}] the feed walks its pages through contacts_feed_page; down removes the function, up brings it back`, async (t) => {
    if (!(await subject.available())) return t.pass(`${subject.name} is not running`);
    const database = await subject.open();
    const { knex } = database;
    t.teardown(database.drop);
    await knex.migrate.latest();
    const me = await owner(knex);
    const repos = knexRepositories(knex, database);
    const created = [];
    for (const name of ['A', 'B', 'C', 'D', 'E'])
      created.push(await repos.contacts.create(me, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: name } }, 'allow'));
    t.true(await repos.contacts.delete(me, created[1]!.id));

    // Pages of two, from the start: every live contact once, in commit order. B is left out: it was
    // in the trash before this walk began, so a client starting now never had it.
    const seen: string[] = [];
    let since: SyncPosition | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await repos.contacts.changesSince(me, since, 2);
      for (const change of page.changes) seen.push(change.deleted ? `-${change.id}` : change.contact.firstName);
      since = page.next;
      if (!page.more) break;
    }
    t.deepEqual(seen, ['A', 'C', 'D', 'E']);
    t.is(await feedFunctions(knex), 1);

    await migrateDownThrough(knex, MIGRATION);
    t.is(await feedFunctions(knex), 0);
    await knex.migrate.latest();
    t.is(await feedFunctions(knex), 1);
    const again = await repos.contacts.changesSince(me, null, 10);
    t.deepEqual(
      again.changes.map((c) => (c.deleted ? null : c.contact.firstName)),
      ['A', 'C', 'D', 'E'],
    );
  });
}

test('[postgres] a connection plans the feed once: PostgreSQL keeps a generic plan instead of planning each page afresh', async (t) => {
  if (!(await postgresAvailable())) return t.pass('postgres is not running');
  const database = await MIGRATION_SUBJECTS[1]!.open();
  const { knex } = database;
  t.teardown(database.drop);
  await knex.migrate.latest();
  const me = await owner(knex);
  // A large book, as the bench's: past a position near its end, a plain statement's generic plan
  // expects thousands of rows (it cannot see the position), so PostgreSQL planned it every time.
  const book = 50_000;
  await knex.raw(`INSERT INTO contacts (user_id, first_name, last_name, change_seq) SELECT ?, 'F' || g, 'L', g FROM generate_series(1, ?) g`, [me, book]);
  await knex.raw('INSERT INTO contact_books (user_id, last_change) VALUES (?, ?)', [me, book]);
  await knex.raw('ANALYZE contacts');
  const plans = await knex.transaction(async (trx) => {
    // One connection: named statements are kept per connection, and so are their plans.
    const contacts = new KnexContactRepository(trx);
    for (let i = 0; i < 12; i++) t.is((await contacts.changesSince(me, { change: book - 10, id: '', floor: 0 }, 100)).changes.length, 10);
    const { rows } = (await trx.raw(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'contacts.feed.%'`)) as {
      rows: { generic_plans: string; custom_plans: string }[];
    };
    return rows.map((row) => ({ generic: Number(row.generic_plans), custom: Number(row.custom_plans) }));
  });
  // PostgreSQL tries five custom plans before it weighs the generic one; every execution after them keeps it.
  t.deepEqual(plans, [{ custom: 5, generic: 7 }]);
});
