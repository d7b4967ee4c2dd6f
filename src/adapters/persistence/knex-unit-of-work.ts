import type { Knex } from 'knex';
import type { Repositories, UnitOfWork } from '../../application/ports/unit-of-work.js';
import { KnexContactRepository } from './knex-contact-repository.js';
import { KnexOneTimeTokenRepository } from './knex-one-time-token-repository.js';
import { KnexOutboxRepository } from './knex-outbox-repository.js';
import { KnexSessionRepository } from './knex-session-repository.js';
import { KnexUserRepository } from './knex-user-repository.js';

export interface RepositoryHooks {
  /** Called once an enqueued email is committed (at once outside a transaction). */
  emailEnqueued?: () => void;
}

export function knexRepositories(db: Knex | Knex.Transaction, hooks: RepositoryHooks = {}): Repositories {
  return {
    users: new KnexUserRepository(db),
    sessions: new KnexSessionRepository(db),
    tokens: new KnexOneTimeTokenRepository(db),
    contacts: new KnexContactRepository(db),

    outbox: new KnexOutboxRepository(db, hooks.emailEnqueued),
  };
}

export class KnexUnitOfWork implements UnitOfWork {
  constructor(
    private readonly knex: Knex,
    private readonly hooks: RepositoryHooks = {},
  ) {}

  async run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    let enqueued = false;
    const result = await this.knex.transaction((trx) => work(knexRepositories(trx, { emailEnqueued: () => (enqueued = true) })));
    // Only now is the email visible to the dispatcher; waking it earlier would find nothing.
    if (enqueued) this.hooks.emailEnqueued?.();
    return result;
  }
}
