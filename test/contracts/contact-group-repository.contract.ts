import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import type { Repositories } from '../../src/application/ports/unit-of-work.js';
import { SyncTokenExpired } from '../../src/domain/sync.js';
import { type ContactFields, EMPTY_CONTACT_FIELDS, LABELS_MAX, type KeptCard } from '../../src/domain/contact.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface ContactGroupRepositoryUnderTest {
  repos: Repositories;
  close(): Promise<void>;
}

const card = (uid: string, name: string): KeptCard => ({ uid, properties: [{ group: null, name: 'FN', params: [], value: name }] });
const person = (firstName: string, labels: string[] = []): { fields: ContactFields } => ({ fields: { ...EMPTY_CONTACT_FIELDS, firstName, labels } });

/**
 * One contract for every ContactGroupRepository (with the contacts' store it follows): the
 * in-memory fake and the Knex adapter on PGlite and on PostgreSQL must give the same answers.
 * Each test works in the book of an owner of its own.
 */
export function contactGroupRepositoryContract(subject: ContractSubject<ContactGroupRepositoryUnderTest>): void {
  const test = contractTest(subject);
  const newOwner = async (repos: Repositories) =>
    (await repos.users.create({ username: 'Owner', email: `owner-${randomUUID()}@example.com`, passwordHash: 'x', avatarUrl: 'x' })).id;
  const it = (title: string, body: (t: ExecutionContext, repos: Repositories, owner: string) => Promise<void>) =>
    test(title, async (t, { repos }) => body(t, repos, await newOwner(repos)));
  // Serial (ava runs these before the others): the purge forgets every book's old markers, other tests' too.
  const serially = (title: string, body: (t: ExecutionContext, repos: Repositories, owner: string) => Promise<void>) =>
    test.serial(title, async (t, { repos }) => body(t, repos, await newOwner(repos)));

  it("a group's version and change number follow its members; the label routes' writes and deletion of the user carry it", async (t, repos, owner) => {
    const group = (await repos.groups.save(owner, { uid: 'g-1', label: 'Team', card: card('g-1', 'Team') }))!;
    t.is(group.name, `${group.id}.vcf`);
    const v0 = await repos.contacts.bookVersion(owner);
    const ann = await repos.contacts.create(owner, person('Ann', ['team']), 'refuse');
    const joined = (await repos.groups.byLabel(owner, 'TEAM'))!;
    t.is(joined.version, group.version + 1, 'a member joining moves the group');
    t.deepEqual(
      (await repos.groups.members(owner, 'Team')).map((m) => m.uid),
      [ann.id],
    );
    const changed = await repos.groups.changedBetween(owner, v0, await repos.contacts.bookVersion(owner));
    t.deepEqual(
      changed.live.map((g) => g.id),
      [group.id],
    );
    // A write that leaves its membership alone does not move it.
    await repos.contacts.update(owner, ann.id, person('Anna', ['team']), 'refuse');
    t.is((await repos.groups.byLabel(owner, 'Team'))!.version, joined.version);
    await repos.contacts.delete(owner, ann.id);
    t.is((await repos.groups.byLabel(owner, 'Team'))!.version, joined.version + 1, 'a member trashed leaves the group');
    await repos.contacts.restore(owner, ann.id, 'allow');
    t.is((await repos.groups.byLabel(owner, 'Team'))!.version, joined.version + 2, 'a member restored joins again');
    t.true(await repos.groups.rename(owner, 'team', 'Crew'));
    t.is((await repos.groups.byUid(owner, 'g-1'))!.label, 'Crew');
    const before = await repos.contacts.bookVersion(owner);
    t.true(await repos.groups.deleteByLabel(owner, 'crew'));
    t.deepEqual(await repos.groups.changedBetween(owner, before, await repos.contacts.bookVersion(owner)), { live: [], removed: [group.name] });
    await repos.groups.save(owner, { uid: 'g-2', label: 'Other', card: card('g-2', 'Other') });
    t.true(await repos.users.delete(owner));
    // Gone with the user: the live groups and the deleted ones' markers.
    t.deepEqual(await repos.groups.changedBetween(owner, 0, Number.MAX_SAFE_INTEGER), { live: [], removed: [] });
  });

  it('membersOf answers the members of many groups at once, by label key, oldest first', async (t, repos, owner) => {
    const ann = await repos.contacts.create(owner, person('Ann', ['Red', 'Blue']), 'refuse');
    const bob = await repos.contacts.create(owner, person('Bob', ['blue']), 'refuse');
    const gone = await repos.contacts.create(owner, person('Gone', ['Red']), 'refuse');
    await repos.contacts.delete(owner, gone.id);
    await repos.contacts.create(owner, person('Cy', ['Green']), 'refuse');
    const members = await repos.groups.membersOf(owner, ['RED', 'Blue', 'Nobody']);
    t.deepEqual([...members.entries()].map(([key, list]) => [key, list.map((m) => m.id)]).sort(), [
      ['blue', [ann.id, bob.id]],
      ['red', [ann.id]],
    ]);
    t.deepEqual(await repos.groups.membersOf(owner, []), new Map());
    t.deepEqual(await repos.groups.membersOf(await newOwner(repos), ['Red']), new Map());
  });

  it('setLabelHolders gives the label to exactly the contacts named, in one change of the book that moves the group once; one at the most labels is left out', async (t, repos, owner) => {
    await repos.groups.save(owner, { uid: 'g-1', label: 'Team', card: card('g-1', 'Team') });
    const [stays, joins, leaves, full, bystander] = [
      await repos.contacts.create(owner, person('Stays', ['team']), 'refuse'),
      await repos.contacts.create(owner, person('Joins', ['Other']), 'refuse'),
      await repos.contacts.create(owner, person('Leaves', ['Team', 'Other']), 'refuse'),
      await repos.contacts.create(
        owner,
        person(
          'Full',
          Array.from({ length: LABELS_MAX }, (_, i) => `L${i}`),
        ),
        'refuse',
      ),
      await repos.contacts.create(owner, person('Bystander', ['Other']), 'refuse'),
    ];
    const group = (await repos.groups.byLabel(owner, 'Team'))!;
    const before = await repos.contacts.bookVersion(owner);
    await repos.contacts.setLabelHolders(owner, 'Team', [stays.id, joins.id, full.id, 'not-a-contact']);
    const labelsOf = async (id: string) => (await repos.contacts.findById(owner, id))!.labels;
    t.deepEqual(await labelsOf(stays.id), ['team']);
    t.deepEqual(await labelsOf(joins.id), ['Other', 'Team']);
    t.deepEqual(await labelsOf(leaves.id), ['Other']);
    t.is((await labelsOf(full.id)).length, LABELS_MAX);
    t.deepEqual(await labelsOf(bystander.id), ['Other']);
    t.is((await repos.contacts.findById(owner, stays.id))!.version, stays.version, 'a holder that keeps it is not written');
    t.deepEqual(
      (await repos.groups.members(owner, 'team')).map((m) => m.id),
      [stays.id, joins.id],
    );
    const moved = (await repos.groups.byLabel(owner, 'Team'))!;
    t.is(moved.version, group.version + 1, 'the group moves once');
    const changes = await repos.contacts.changesSince(owner, { change: before, id: '', floor: before }, 100);
    t.deepEqual(changes.changes.map((c) => c.id).sort(), [joins.id, leaves.id].sort());
  });

  serially(
    "a deleted group's marker is forgotten by the trash purge, with the contacts' tombstones: a token from before it is then expired",
    async (t, repos, owner) => {
      const group = (await repos.groups.save(owner, { uid: 'g-1', label: 'Team', card: card('g-1', 'Team') }))!;
      const kept = (await repos.groups.save(owner, { uid: 'g-2', label: 'Kept', card: card('g-2', 'Kept') }))!;
      const mark = await repos.contacts.bookVersion(owner);
      t.true(await repos.groups.delete(owner, group.id));
      const after = await repos.contacts.bookVersion(owner);
      t.deepEqual((await repos.groups.changedBetween(owner, mark, after)).removed, [group.name]);
      // Not yet expired: the purge leaves it.
      await repos.contacts.purgeExpired(new Date(Date.now() - 60_000), 1000);
      t.deepEqual((await repos.groups.changedBetween(owner, mark, after)).removed, [group.name]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await repos.contacts.purgeExpired(new Date(), 1000);
      t.deepEqual((await repos.groups.changedBetween(owner, mark, after)).removed, []);
      await t.throwsAsync(repos.contacts.changesSince(owner, { change: mark, id: '', floor: mark }, 10), { instanceOf: SyncTokenExpired });
      t.deepEqual((await repos.contacts.changesSince(owner, { change: after, id: '', floor: after }, 10)).changes, []);
      t.deepEqual(
        (await repos.groups.list(owner)).map((g) => g.id),
        [kept.id],
        'a live group stays',
      );
    },
  );
}
