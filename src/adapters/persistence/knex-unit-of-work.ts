import type { Knex } from 'knex';
import type { Repositories, UnitOfWork } from '../../application/ports/unit-of-work.js';
import { KnexContactRepository } from './knex-contact-repository.js';
import { KnexOneTimeTokenRepository } from './knex-one-time-token-repository.js';
import { KnexSessionRepository } from './knex-session-repository.js';
import { KnexUserRepository } from './knex-user-repository.js';

export function knexRepositories(db: Knex | Knex.Transaction): Repositories {
  return {
    users: new KnexUserRepository(db),
    sessions: new KnexSessionRepository(db),
    tokens: new KnexOneTimeTokenRepository(db),
    contacts: new KnexContactRepository(db),
  };
}

export class KnexUnitOfWork implements UnitOfWork {
  constructor(private readonly knex: Knex) {}

  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(knexRepositories(trx)));
  }
}
