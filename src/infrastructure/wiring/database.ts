import type { Knex } from 'knex';
import type { Repositories, UnitOfWork } from '../../application/ports/unit-of-work.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import type { ErrorTranslator } from '../../adapters/http/middleware/error-handler.js';
import type { HealthCheck } from '../../adapters/http/routes/operations.routes.js';
import { KnexUnitOfWork, knexRepositories, type RepositoryHooks } from '../../adapters/persistence/knex-unit-of-work.js';
import { isDatabaseUnavailable, isForeignKeyViolation } from '../../adapters/persistence/pg-errors.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import type { Config } from '../config.js';
import { createDatabase, type Database, type DatabasePooler, migrateLatest, pendingMigrations, prepareEmbeddedDatabase } from '../database.js';

export interface OpenDatabase {
  knex: Knex;
  /** The repositories and the unit of work over this database; `hooks` hear of committed emails. */
  persistence(hooks: RepositoryHooks): { repos: Repositories; uow: UnitOfWork };
  /** For /ready. */
  healthCheck: HealthCheck;
  /** An unreachable database becomes ServiceUnavailable (503) instead of a 500. */
  translateError: ErrorTranslator;
  /** Releases the pools, unless the database was given (its owner closes it). */
  close(): Promise<void>;
}

/**
 * Migrates (unless MIGRATE_ON_START is off), then opens the app's knex. On PostgreSQL the migrations
 * get a connection of their own without the per-statement bound the app's queries have; PGlite has
 * one connection and no bound. With migrations off, a schema behind the code stops the start.
 */
async function migrateAndConnect(config: Config): Promise<Database> {
  const options = {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pooler: config.databasePooler as DatabasePooler,
    poolMax: config.databasePoolMax,
  };
  const connecting = { connectMs: config.databaseConnectTimeoutMs, acquireMs: config.databaseAcquireTimeoutMs };
  if (!config.databaseUrl) {
    await prepareEmbeddedDatabase(options);
    const database = createDatabase({ ...options, timeouts: connecting });
    await prepareSchema(database.knex, config.migrateOnStart);
    return database;
  }
  const migrator = createDatabase({ ...options, readPoolMax: 0, timeouts: connecting });
  try {
    await prepareSchema(migrator.knex, config.migrateOnStart);
  } finally {
    await migrator.close();
  }
  return createDatabase({ ...options, readPoolMax: config.databaseReadPoolMax, timeouts: { ...connecting, queryMs: config.databaseQueryTimeoutMs } });
}

/** Raised at start when MIGRATE_ON_START is off and the database misses migrations this code needs. */
export class SchemaBehind extends Error {
  constructor(readonly pending: string[]) {
    super(`the database lacks ${pending.length} migration(s) (${pending.join(', ')}); run \`npm run migrate\` first (MIGRATE_ON_START=false)`);
  }
}

async function prepareSchema(knex: Knex, migrate: boolean): Promise<void> {
  if (migrate) return migrateLatest(knex);
  const pending = await pendingMigrations(knex);
  if (pending.length > 0) throw new SchemaBehind(pending);
}

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite; or the database given (a test's), migrated. */
export async function openDatabase(config: Config, given?: Database): Promise<OpenDatabase> {
  if (given) await migrateLatest(given.knex);
  const database = given ?? (await migrateAndConnect(config));
  const { knex, readPool, namedStatements } = database;
  return {
    knex,
    persistence: (hooks) => {
      const options = { readPool, namedStatements, hooks };
      return { repos: knexRepositories(knex, options), uow: new KnexUnitOfWork(knex, options) };
    },
    healthCheck: { name: 'database', check: async () => void (await knex.raw('select 1')) },
    // A write for an account deleted meanwhile (every foreign key names a user): its token is dead too.
    translateError: (error) =>
      isDatabaseUnavailable(error) ? new ServiceUnavailable('database') : isForeignKeyViolation(error) ? new Unauthenticated() : null,
    async close() {
      if (!given) await database.close();
    },
  };
}
