import { KnexOutboxRepository } from '../../src/adapters/persistence/knex-outbox-repository.js';
import { KnexUnitOfWork } from '../../src/adapters/persistence/knex-unit-of-work.js';
import { InMemoryUnitOfWork, inMemoryRepositories } from '../fakes/in-memory-repositories.js';
import { BACKENDS } from '../helpers/databases.js';
import { type ContractSubject, sharedSubject } from '../contracts/harness.js';
import { type OutboxRepositoryUnderTest, outboxRepositoryContract } from '../contracts/outbox-repository.contract.js';

const subjects: ContractSubject<OutboxRepositoryUnderTest>[] = [
  {
    name: 'in-memory',
    available: async () => true,
    async open() {
      const repos = inMemoryRepositories();
      return { outbox: repos.outbox, uow: new InMemoryUnitOfWork(repos), reset: async () => repos.outbox.table.rows.clear(), close: async () => {} };
    },
  },
  ...BACKENDS.map((backend) => ({
    name: backend.name,
    available: () => backend.available(),
    async open(): Promise<OutboxRepositoryUnderTest> {
      const db = await backend.create();
      return {
        outbox: new KnexOutboxRepository(db.knex),
        uow: new KnexUnitOfWork(db.knex),
        reset: async () => void (await db.knex('email_outbox').del()),
        close: () => db.drop(),
      };
    },
  })),
];

// One store per subject for the whole file, emptied before each test.
for (const subject of subjects) outboxRepositoryContract(sharedSubject({ ...subject, close: (s) => s.close() }));
