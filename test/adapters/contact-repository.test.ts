import test from 'ava';
import { KnexUnitOfWork, knexRepositories } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../fakes/in-memory-repositories.js';
import { BACKENDS, type TestDatabase } from '../helpers/databases.js';
import { contactRepositoryContract } from './contact-repository.contract.js';

contactRepositoryContract({
  name: 'in-memory',
  available: async () => true,
  async create() {
    const repos = inMemoryRepositories();
    return { repos, uow: new InMemoryUnitOfWork(repos), close: async () => {} };
  },
});

for (const backend of BACKENDS) {
  // One database per backend for the whole file: starting several at once is slow on a busy machine.
  let database: Promise<TestDatabase> | undefined;
  const db = () => (database ??= backend.create());

  contactRepositoryContract({
    name: `knex/${backend.name}`,
    available: () => backend.available(),
    async create() {
      const { knex, drop } = await db();
      return { repos: knexRepositories(knex), uow: new KnexUnitOfWork(knex), close: drop };
    },
  });

  test(`[knex/${backend.name}] deleting a user deletes their contacts`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const { knex } = await db();
    const repos = knexRepositories(knex);
    const user = await repos.users.create({ username: 'Gone', email: `gone-${Date.now()}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
    const contact = await repos.contacts.create(user.id, {
      firstName: 'A',
      lastName: 'B',
      email: 'a@example.com',
      phone: '12345',
      birthday: '1990-01-01',
      notes: null,
    });
    await knex('users').where('id', user.id).delete();
    t.is(await repos.contacts.findById(user.id, contact.id), null);
    t.is(Number((await knex('contacts').where('userId', user.id).count({ n: '*' }))[0]!.n), 0);
  });
}
