import { KnexUnitOfWork, knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { type RepositoryFixture, accountRepositoriesContract } from '../../contracts/account-repositories.contract.js';
import { sharedSubject } from '../../contracts/harness.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../../fakes/in-memory-repositories.js';
import { BACKENDS } from '../../helpers/databases.js';

// One store per subject for the whole file, opened at its first test; tests use addresses of their own.
accountRepositoriesContract(
  sharedSubject<RepositoryFixture>({
    name: 'in-memory',
    async open() {
      const repos = inMemoryRepositories();
      return { repos, uow: new InMemoryUnitOfWork(repos), close: async () => {} };
    },
    close: (fixture) => fixture.close(),
  }),
);

for (const backend of BACKENDS) {
  accountRepositoriesContract(
    sharedSubject<RepositoryFixture>({
      name: backend.name,
      available: backend.available,
      async open() {
        const db = await backend.create();
        return { repos: knexRepositories(db.knex, db), uow: new KnexUnitOfWork(db.knex, db), close: db.drop };
      },
      close: (fixture) => fixture.close(),
    }),
  );
}
