import { knexRepositories } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { inMemoryRepositories } from '../fakes/in-memory-repositories.js';
import { BACKENDS, type TestDatabase } from '../helpers/databases.js';
import { type ContactGroupRepositoryUnderTest, contactGroupRepositoryContract } from '../contracts/contact-group-repository.contract.js';
import { sharedSubject } from '../contracts/harness.js';

// One store per subject for the whole file; each test works in the book of an owner of its own.
contactGroupRepositoryContract(
  sharedSubject<ContactGroupRepositoryUnderTest>({
    name: 'in-memory',
    async open() {
      return { repos: inMemoryRepositories(), close: async () => {} };
    },
    close: (store) => store.close(),
  }),
);

for (const backend of BACKENDS) {
  let database: Promise<TestDatabase> | undefined;
  const db = () => (database ??= backend.create());
  contactGroupRepositoryContract(
    sharedSubject<ContactGroupRepositoryUnderTest>({
      name: `knex/${backend.name}`,
      available: () => backend.available(),
      async open() {
        const database = await db();
        return { repos: knexRepositories(database.knex, database), close: database.drop };
      },
      close: (store) => store.close(),
    }),
  );
}
