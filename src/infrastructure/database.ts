import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexPkg, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { knexSnakeCaseMappers } from 'objection';
import { migrationSource } from '../../migrations/index.js';

export interface DatabaseOptions {
  /** PostgreSQL URL; empty → embedded PGlite. */
  databaseUrl: string;
  /** Where PGlite keeps its files; ':memory:' keeps nothing. */
  dataDir: string;
  /** Schema to work in (tests isolate each run in its own). */
  schema?: string;
}

/** One knex for the whole app: PostgreSQL through pg when a URL is given, else embedded PGlite. */
export function createKnex(options: DatabaseOptions): Knex {
  const common: Knex.Config = {
    ...knexSnakeCaseMappers(),
    migrations: { migrationSource },
    acquireConnectionTimeout: 5000,
  };
  if (options.databaseUrl) {
    return knexPkg.knex({
      ...common,
      client: 'pg',
      connection: { connectionString: options.databaseUrl, connectionTimeoutMillis: 3000 },
      searchPath: options.schema ? [options.schema] : undefined,
      pool: { min: 0, max: 10 },
    });
  }
  let connection: object = {};
  if (options.dataDir !== ':memory:') {
    const filename = path.resolve(options.dataDir, 'pglite');
    mkdirSync(filename, { recursive: true });
    connection = { filename };
  }
  // PGlite's first connection boots the embedded database (WASM): seconds on a busy machine, not a pool wait.
  return knexPkg.knex({ ...common, acquireConnectionTimeout: 30_000, client: ClientPgLite as unknown as typeof knexPkg.Client, dialect: 'postgres', connection });
}

export async function migrateLatest(knex: Knex, schema?: string): Promise<void> {
  if (schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  await knex.migrate.latest();
}
