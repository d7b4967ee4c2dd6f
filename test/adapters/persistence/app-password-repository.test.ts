import { knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { type AppPasswordFixture, appPasswordRepositoryContract } from '../../contracts/app-password-repository.contract.js';
import { sharedSubject } from '../../contracts/harness.js';
import { inMemoryRepositories } from '../../fakes/in-memory-repositories.js';
import { BACKENDS } from '../../helpers/databases.js';

// One store per subject for the whole file; every test makes users of its own.
appPasswordRepositoryContract(
  sharedSubject<AppPasswordFixture>({
    name: 'in-memory',
    async open() {
      const repos = inMemoryRepositories();
      return {
        repos,
        storedRows: async (userId) => repos.appPasswords.table.all().filter((row) => row.userId === userId),
        close: async () => {},
      };
    },
    close: (fixture) => fixture.close(),
  }),
);

for (const backend of BACKENDS) {
  appPasswordRepositoryContract(
    sharedSubject<AppPasswordFixture>({
      name: backend.name,
      available: backend.available,
      async open() {
        const db = await backend.create();
        return {
          repos: knexRepositories(db.knex, db),
          storedRows: (userId) => db.knex('app_passwords').where('userId', userId),
          close: db.drop,
        };
      },
      close: (fixture) => fixture.close(),
    }),
  );
}
