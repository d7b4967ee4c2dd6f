import type { Knex } from 'knex';
import type { Config } from './config.js';
import { createDatabase, type Database, type DatabasePooler, migrateLatest, pendingMigrations, prepareEmbeddedDatabase } from './database.js';

/** Raised at start when MIGRATE_ON_START is off and the database misses migrations this code needs. */
export class SchemaBehind extends Error {
  constructor(readonly pending: string[]) {
    super(`the database lacks ${pending.length} migration(s) (${pending.join(', ')}); run \`npm run migrate\` first (MIGRATE_ON_START=false)`);
  }
}

/**
 * The app's database as the config describes it (PostgreSQL when DATABASE_URL is set, else
 * embedded PGlite), migrated unless MIGRATE_ON_START is off. On PostgreSQL the migrations get a
 * connection of their own without the per-statement bound the app's queries have; PGlite has one
 * connection and no bound. With migrations off, a schema behind the code stops the start.
 */
export async function startDatabase(config: Config): Promise<Database> {
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
    await prepareSchema(database.knex, config.migrateOnStart).catch(async (error: unknown) => {
      await database.close();
      throw error;
    });
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

async function prepareSchema(knex: Knex, migrate: boolean): Promise<void> {
  if (migrate) return migrateLatest(knex);
  const pending = await pendingMigrations(knex);
  if (pending.length > 0) throw new SchemaBehind(pending);
}
