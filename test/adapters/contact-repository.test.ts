import test from 'ava';
import { KnexUnitOfWork, knexRepositories } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { EMPTY_CONTACT_FIELDS } from '../../src/domain/contact.js';
import { Unauthenticated } from '../../src/domain/user.errors.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../fakes/in-memory-repositories.js';
import { BACKENDS, type TestDatabase } from '../helpers/databases.js';
import { type ContactRepositoryUnderTest, contactRepositoryContract } from '../contracts/contact-repository.contract.js';
import { sharedSubject } from '../contracts/harness.js';

// One store per subject for the whole file; each test works in the books of owners of its own.
contactRepositoryContract(
  sharedSubject<ContactRepositoryUnderTest>({
    name: 'in-memory',
    async open() {
      const repos = inMemoryRepositories();
      return { repos, uow: new InMemoryUnitOfWork(repos), close: async () => {} };
    },
    close: (store) => store.close(),
  }),
);

for (const backend of BACKENDS) {
  // One database per backend for the whole file: starting several at once is slow on a busy machine.
  let database: Promise<TestDatabase> | undefined;
  const db = () => (database ??= backend.create());

  contactRepositoryContract(
    sharedSubject<ContactRepositoryUnderTest>({
      name: `knex/${backend.name}`,
      available: () => backend.available(),
      async open() {
        const database = await db();
        return { repos: knexRepositories(database.knex, database), uow: new KnexUnitOfWork(database.knex, database), close: database.drop };
      },
      close: (store) => store.close(),
    }),
  );

  test(`[knex/${backend.name}] deleting a user deletes their contacts`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const database = await db();
    const { knex } = database;
    const repos = knexRepositories(knex, database);
    const user = await repos.users.create({ username: 'Gone', email: `gone-${Date.now()}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
    const contact = await repos.contacts.create(
      user.id,
      { fields: { ...EMPTY_CONTACT_FIELDS, firstName: 'A', emails: [{ value: 'a@example.com', label: 'home' }], birthday: '1990-01-01' } },
      'refuse',
    );
    await knex('users').where('id', user.id).delete();
    t.is(await repos.contacts.findById(user.id, contact.id), null);
    t.is(Number((await knex('contacts').where('userId', user.id).count({ n: '*' }))[0]!.n), 0);
  });

  test(`[knex/${backend.name}] a write of a book whose owner was deleted meanwhile is refused as Unauthenticated, not a foreign-key failure`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const database = await db();
    const { knex } = database;
    const repos = knexRepositories(knex, database);
    const uow = new KnexUnitOfWork(knex, database);
    const user = await repos.users.create({ username: 'Gone', email: `gone-fk-${Date.now()}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
    const fields = { ...EMPTY_CONTACT_FIELDS, firstName: 'A' };
    const live = await repos.contacts.create(user.id, { fields }, 'refuse');
    const trashed = await repos.contacts.create(user.id, { fields: { ...fields, firstName: 'T' } }, 'refuse');
    t.true(await repos.contacts.delete(user.id, trashed.id));
    // The account goes (its book's counter with it, by the cascade) while its requests are in flight.
    await knex('users').where('id', user.id).delete();
    const writes: [string, () => Promise<unknown>][] = [
      ['create', () => repos.contacts.create(user.id, { fields }, 'refuse')],
      ['createMany', () => repos.contacts.createMany(user.id, [{ fields }])],
      ['delete', () => repos.contacts.delete(user.id, live.id)],
      ['restore', () => repos.contacts.restore(user.id, trashed.id, 'refuse')],
      ['setPhoto', () => repos.contacts.setPhoto(user.id, live.id, { url: 'u', key: 'k' })],
      ['create in a unit of work', () => uow.run((r) => r.contacts.create(user.id, { fields }, 'allow'))],
    ];
    for (const [name, write] of writes) {
      const error = await write().then(
        () => null,
        (e: unknown) => e,
      );
      // A write that finds nothing to change may answer without one; one that tries must be refused cleanly.
      if (error !== null) t.true(error instanceof Unauthenticated, `${name}: ${String(error)}`);
    }
    await t.throwsAsync(repos.contacts.create(user.id, { fields }, 'refuse'), { instanceOf: Unauthenticated });
    t.is(Number((await knex('contacts').where('userId', user.id).count({ n: '*' }))[0]!.n), 0);
  });
}
