import test from 'ava';
import { knexRepositories } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { EMPTY_CONTACT_FIELDS } from '../../src/domain/contact.js';
import { BACKENDS, type TestDatabase } from '../helpers/databases.js';

const card = { uid: 'g-1', properties: [{ group: null, name: 'FN', params: [], value: 'Team' }] };

for (const backend of BACKENDS) {
  let database: Promise<TestDatabase> | undefined;
  const db = () => (database ??= backend.create());
  test.after.always(async () => {
    await (await database?.catch(() => undefined))?.drop();
  });

  test(`[knex/${backend.name}] a group's version and change number follow its members; the label routes' writes and deletion of the user carry it`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const database = await db();
    const repos = knexRepositories(database.knex, database);
    const user = await repos.users.create({ username: `G${Date.now()}`, email: `g-${Date.now()}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
    const group = (await repos.groups.save(user.id, { uid: 'g-1', label: 'Team', card }))!;
    t.is(group.name, `${group.id}.vcf`);
    const v0 = await repos.contacts.bookVersion(user.id);
    const ann = await repos.contacts.create(user.id, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: 'Ann', labels: ['team'] } }, 'refuse');
    const joined = (await repos.groups.byLabel(user.id, 'TEAM'))!;
    t.is(joined.version, group.version + 1, 'a member joining moves the group');
    t.deepEqual(
      (await repos.groups.members(user.id, 'Team')).map((m) => m.uid),
      [ann.id],
    );
    const changed = await repos.groups.changedBetween(user.id, v0, await repos.contacts.bookVersion(user.id));
    t.deepEqual(
      changed.live.map((g) => g.id),
      [group.id],
    );
    // A write that leaves its membership alone does not move it.
    await repos.contacts.update(user.id, ann.id, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: 'Anna', labels: ['team'] } }, 'refuse');
    t.is((await repos.groups.byLabel(user.id, 'Team'))!.version, joined.version);
    await repos.contacts.delete(user.id, ann.id);
    t.is((await repos.groups.byLabel(user.id, 'Team'))!.version, joined.version + 1, 'a member trashed leaves the group');
    t.true(await repos.groups.rename(user.id, 'team', 'Crew'));
    t.is((await repos.groups.byUid(user.id, 'g-1'))!.label, 'Crew');
    const before = await repos.contacts.bookVersion(user.id);
    t.true(await repos.groups.deleteByLabel(user.id, 'crew'));
    t.deepEqual(await repos.groups.changedBetween(user.id, before, await repos.contacts.bookVersion(user.id)), { live: [], removed: [group.name] });
    await repos.groups.save(user.id, { uid: 'g-2', label: 'Other', card });
    await database.knex('users').where('id', user.id).delete();
    t.is(Number((await database.knex('contact_groups').where('userId', user.id).count({ n: '*' }))[0]!.n), 0);
  });
}
