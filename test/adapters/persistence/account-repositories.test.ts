import test from 'ava';
import { KnexUnitOfWork, knexRepositories } from '../../../src/adapters/persistence/knex-unit-of-work.js';
import { BACKENDS } from '../../helpers/databases.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../../fakes/in-memory-repositories.js';
import { accountRepositoriesContract } from './account-repositories.contract.js';

accountRepositoriesContract(
  test,
  'in-memory',
  async () => true,
  async () => {
    const repos = inMemoryRepositories();
    return { repos, uow: new InMemoryUnitOfWork(repos), close: async () => {} };
  },
);

for (const backend of BACKENDS) {
  accountRepositoriesContract(test, backend.name, backend.available, async () => {
    const db = await backend.create();
    return { repos: knexRepositories(db.knex), uow: new KnexUnitOfWork(db.knex), close: db.drop };
  });
}
