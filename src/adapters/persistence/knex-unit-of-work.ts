import type { Knex } from 'knex';
import type { Repositories, UnitOfWork } from '../../application/ports/unit-of-work.js';
import { KnexAppPasswordRepository } from './knex-app-password-repository.js';
import { KnexContactGroupRepository } from './knex-contact-group-repository.js';
import { KnexContactRepository } from './knex-contact-repository.js';
import { KnexDavResourceRepository } from './knex-dav-resource-repository.js';
import { KnexOneTimeTokenRepository } from './knex-one-time-token-repository.js';
import { KnexOutboxRepository } from './knex-outbox-repository.js';
import { KnexSessionRepository } from './knex-session-repository.js';
import { KnexUserRepository } from './knex-user-repository.js';
import type { StatementOptions } from './prepared-statement.js';

export interface RepositoryHooks {
  /** Called once an enqueued email is committed (at once outside a transaction). */
  emailEnqueued?: () => void;
}

/** How the repositories reach the database beside their knex: the read pool and named statements (see StatementRunner). */
export interface PersistenceOptions extends StatementOptions {
  hooks?: RepositoryHooks;
}

export function knexRepositories(db: Knex | Knex.Transaction, options: PersistenceOptions = {}): Repositories {
  const { hooks = {}, ...statements } = options;
  return {
    users: new KnexUserRepository(db),
    sessions: new KnexSessionRepository(db),
    tokens: new KnexOneTimeTokenRepository(db),
    contacts: new KnexContactRepository(db, statements),
    appPasswords: new KnexAppPasswordRepository(db),
    davResources: new KnexDavResourceRepository(db),
    groups: new KnexContactGroupRepository(db, statements),
    outbox: new KnexOutboxRepository(db, hooks.emailEnqueued),
  };
}

export class KnexUnitOfWork implements UnitOfWork {
  constructor(
    private readonly knex: Knex,
    private readonly options: PersistenceOptions = {},
  ) {}

  async run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    let enqueued = false;
    // A transaction's statements all run on its connection: no read pool.
    const inTransaction = { namedStatements: this.options.namedStatements, hooks: { emailEnqueued: () => (enqueued = true) } };
    const result = await this.knex.transaction((trx) => work(knexRepositories(trx, inTransaction)));
    // Only now is the email visible to the dispatcher; waking it earlier would find nothing.
    if (enqueued) this.options.hooks?.emailEnqueued?.();
    return result;
  }
}
