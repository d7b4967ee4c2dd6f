import test from 'ava';
import { KnexUnitOfWork, knexRepositories } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { EMPTY_CONTACT_FIELDS } from '../../src/domain/contact.js';
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
}
