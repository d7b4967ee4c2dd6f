import test from 'ava';
import { KnexUnitOfWork, knexRepositories } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { IcalContactCardFormat } from '../../src/adapters/vcard/ical-contact-card-format.js';
import type { Repositories, UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import { makeDavBook } from '../../src/application/use-cases/dav-book.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../fakes/in-memory-repositories.js';
import { BACKENDS } from '../helpers/databases.js';

/*
 * A card PUT over CardDAV is two rows: the contact and its resource name (dav_resources). They
 * commit together: a failure between them leaves neither, so the book never holds a contact the
 * client cannot find under the name it PUT, nor a name without its card.
 */

const card = (uid: string, name: string) => Buffer.from(`BEGIN:VCARD\r\nVERSION:3.0\r\nUID:${uid}\r\nFN:${name}\r\nN:${name};;;;\r\nEND:VCARD\r\n`);

/** A unit of work whose resource-name write fails, after the contact's write succeeded. */
function failingResourceSave(uow: UnitOfWork): UnitOfWork {
  return {
    run: (work) =>
      uow.run((repos) =>
        work({
          ...repos,
          davResources: Object.assign(Object.create(Object.getPrototypeOf(repos.davResources)) as Repositories['davResources'], repos.davResources, {
            save: async () => {
              throw new Error('the resource name could not be written');
            },
          }),
        }),
      ),
  };
}

async function check(t: import('ava').ExecutionContext, repos: Repositories, uow: UnitOfWork, owner: string) {
  const clock = { now: () => new Date('2026-12-01T12:00:00Z') };
  const cards = new IcalContactCardFormat();
  const broken = makeDavBook({ repos, uow: failingResourceSave(uow), cards, clock });
  await t.throwsAsync(broken.putCard(owner, 'phone-1.vcf', card('phone-uid-1', 'Half')), { message: /could not be written/ });
  let stored = 0;
  for await (const batch of repos.contacts.listAll(owner, 100)) stored += batch.length;
  t.is(stored, 0, 'no contact without its name');
  t.is(await repos.davResources.byName(owner, 'phone-1.vcf'), null);

  // The same PUT through a working unit of work stores both, found under the client's name.
  const book = makeDavBook({ repos, uow, cards, clock });
  const { created, card: put } = await book.putCard(owner, 'phone-1.vcf', card('phone-uid-1', 'Whole'));
  t.true(created);
  t.is((await book.findCard(owner, 'phone-1.vcf'))?.contact.id, put.contact.id);
  t.is((await repos.davResources.byUid(owner, 'phone-uid-1'))?.contactId, put.contact.id);

  // A replacement that fails at its name leaves the card as it was.
  await t.throwsAsync(makeDavBook({ repos, uow: failingResourceSave(uow), cards, clock }).putCard(owner, 'phone-1.vcf', card('phone-uid-1', 'Changed')));
  const after = await book.findCard(owner, 'phone-1.vcf');
  t.is(after?.contact.version, put.contact.version);
  t.is(after?.contact.firstName, put.contact.firstName);
}

test('[in-memory] a PUT whose resource name fails to be written leaves neither the contact nor the name', async (t) => {
  const repos = inMemoryRepositories();
  const user = await repos.users.create({ username: 'Dav', email: 'dav@example.com', passwordHash: 'x', avatarUrl: 'x' });
  await check(t, repos, new InMemoryUnitOfWork(repos), user.id);
});

for (const backend of BACKENDS) {
  test(`[knex/${backend.name}] a PUT whose resource name fails to be written leaves neither the contact nor the name`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const database = await backend.create();
    try {
      const repos = knexRepositories(database.knex, database);
      const user = await repos.users.create({ username: 'Dav', email: `dav-${Date.now()}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
      await check(t, repos, new KnexUnitOfWork(database.knex, database), user.id);
    } finally {
      await database.drop();
    }
  });
}
