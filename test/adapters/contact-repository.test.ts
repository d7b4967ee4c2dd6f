import test from 'ava';
import { KnexUnitOfWork, knexRepositories } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../fakes/in-memory-repositories.js';
import { BACKENDS } from '../helpers/databases.js';
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
  contactRepositoryContract({
    name: `knex/${backend.name}`,
    available: () => backend.available(),
    async create() {
      const db = await backend.create();
      return { repos: knexRepositories(db.knex), uow: new KnexUnitOfWork(db.knex), close: () => db.drop() };
    },
  });

  test(`[knex/${backend.name}] deleting a user deletes their contacts`, async (t) => {
    if (!(await backend.available())) return t.pass(`${backend.name} is not running`);
    const db = await backend.create();
    t.teardown(() => db.drop());
    const repos = knexRepositories(db.knex);
    const user = await repos.users.create({ username: 'Gone', email: 'gone@example.com', passwordHash: 'x', avatarUrl: 'x' });
    const contact = await repos.contacts.create(user.id, {
      firstName: 'A', lastName: 'B', email: 'a@example.com', phone: '12345', birthday: '1990-01-01', notes: null,
    });
    await db.knex('users').where('id', user.id).delete();
    t.is(await repos.contacts.findById(user.id, contact.id), null);
    t.is(Number((await db.knex('contacts').count({ n: '*' }))[0]!.n), 0);
  });
}
