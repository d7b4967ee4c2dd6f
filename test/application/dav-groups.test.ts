import test from 'ava';
import { IcalContactCardFormat } from '../../src/adapters/vcard/ical-contact-card-format.js';
import type { Repositories, UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import { makeDavBook } from '../../src/application/use-cases/dav-book.js';
import { makeExportAccount } from '../../src/application/use-cases/export-account.js';
import { EMPTY_CONTACT_FIELDS } from '../../src/domain/contact.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../fakes/in-memory-repositories.js';

/*
 * The work of the group cards' reads and writes does not grow with what they hold: a book's groups
 * have their members read at once (listing, sync, account export), and a group PUT sets its members
 * in a fixed number of writes whatever their number. Counted as calls to the repositories, the
 * queries of the real adapters.
 */

const clock = { now: () => new Date('2026-12-01T12:00:00Z') };
const cards = new IcalContactCardFormat();

/** The repositories, with every call to one of their methods counted. */
function counting(repos: Repositories, counter: { calls: number }): Repositories {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          counter.calls += 1;
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  return { ...repos, contacts: wrap(repos.contacts), groups: wrap(repos.groups), davResources: wrap(repos.davResources) };
}

function world() {
  const repos = inMemoryRepositories();
  const counter = { calls: 0 };
  const uow = new InMemoryUnitOfWork(repos);
  const countedUow: UnitOfWork = { run: (work) => uow.run((r) => work(counting(r, counter))) };
  const counted = counting(repos, counter);
  const book = makeDavBook({ repos: counted, uow: countedUow, cards, clock });
  const exportAccount = makeExportAccount({ repos: counted, clock, cards });
  /** How many repository calls `work` makes. */
  const calls = async <T>(work: () => Promise<T>): Promise<{ calls: number; result: T }> => {
    const before = counter.calls;
    const result = await work();
    return { calls: counter.calls - before, result };
  };
  return { repos, book, exportAccount, calls };
}

async function owner(repos: Repositories, name: string) {
  return (await repos.users.create({ username: name, email: `${name}@example.com`, passwordHash: 'x', avatarUrl: 'x' })).id;
}

const member = (repos: Repositories, ownerId: string, uid: string, labels: string[]) =>
  repos.contacts.create(ownerId, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: uid, labels }, card: { uid, properties: [] } }, 'allow');

const groupCard = (uid: string, name: string, members: readonly string[]) =>
  Buffer.from(
    ['BEGIN:VCARD', 'VERSION:4.0', 'KIND:group', `UID:${uid}`, `FN:${name}`, ...members.map((m) => `MEMBER:urn:uuid:${m}`), 'END:VCARD', ''].join('\r\n'),
  );

test('listing, syncing and exporting a book read its groups’ members at once: as many reads for six groups as for one', async (t) => {
  const { repos, book, exportAccount, calls } = world();
  const reads = async (groups: number) => {
    const ownerId = await owner(repos, `g${groups}`);
    for (let i = 0; i < groups; i++) {
      await member(repos, ownerId, `m${i}`, [`Group ${i}`]);
      t.true((await book.putCard(ownerId, `g${i}.vcf`, groupCard(`g${i}`, `Group ${i}`, [`m${i}`]))).created);
    }
    const listed = await calls(async () => {
      const all = [];
      for await (const batch of book.listCards(ownerId)) all.push(...batch);
      return all;
    });
    const synced = await calls(() => book.changesSince(ownerId, null, 100));
    const exported = await calls(() => exportAccount({ userId: ownerId, sessionId: 'none' }));
    // What each shows: every group with its member.
    const membersOf = (list: { group?: { label: string; members: string[] } }[]) =>
      list
        .flatMap((c) => (c.group ? [[c.group.label, c.group.members]] : []))
        .sort()
        .map(String);
    const expected = Array.from({ length: groups }, (_, i) => String([`Group ${i}`, [`m${i}`]])).sort();
    t.deepEqual(membersOf(listed.result), expected);
    t.deepEqual(membersOf(synced.result.changed), expected);
    t.is(exported.result.groups.length, groups);
    for (const [i, g] of exported.result.groups.entries()) t.regex(g.vcard, new RegExp(`MEMBER:urn:uuid:m${g.label.split(' ')[1]}\\r\\n`), String(i));
    return [listed.calls, synced.calls, exported.calls];
  };
  t.deepEqual(await reads(6), await reads(1));
});

test('a group PUT naming 500 members sets exactly them in as many repository calls as one naming a single member', async (t) => {
  const { repos, book, calls } = world();
  const put = async (size: number) => {
    const ownerId = await owner(repos, `p${size}`);
    const uids = Array.from({ length: size }, (_, i) => `m${i}`);
    await repos.contacts.createMany(
      ownerId,
      uids.map((uid) => ({ fields: { ...EMPTY_CONTACT_FIELDS, firstName: uid }, card: { uid, properties: [] } })),
    );
    // One already carries the label and is not named: it loses it.
    const outsider = await member(repos, ownerId, 'outsider', ['Team']);
    const done = await calls(() => book.putCard(ownerId, 'team.vcf', groupCard('team', 'Team', uids)));
    t.true(done.result.created);
    t.is(done.result.card.group?.members.length, size);
    const carrying: string[] = [];
    for await (const batch of repos.contacts.listAll(ownerId, 500)) for (const c of batch) if (c.labels.includes('Team')) carrying.push(c.card!.uid!);
    t.deepEqual(carrying.sort(), [...uids].sort());
    t.deepEqual((await repos.contacts.findById(ownerId, outsider.id))!.labels, []);
    return done.calls;
  };
  t.is(await put(500), await put(1));
});
