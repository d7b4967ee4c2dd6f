import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexPkg, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { knexSnakeCaseMappers } from 'objection';
import { migrationSource } from '../../migrations/index.js';

/** Bounds on talking to PostgreSQL over the network (PGlite, in-process, has none). */
export interface DatabaseTimeouts {
  /** Opening a connection (TCP and PostgreSQL startup). */
  connectMs: number;
  /** Waiting for a connection from the pool, opening included. */
  acquireMs: number;
  /**
   * One statement: the server cancels it after this, and the client stops waiting a second later.
   * Unset → unbounded, as migrations need (an index on a big table takes as long as it takes).
   */
  queryMs?: number;
}

const DEFAULT_TIMEOUTS = { connectMs: 3000, acquireMs: 5000 };

export interface DatabaseOptions {
  /** PostgreSQL URL; empty → embedded PGlite. */
  databaseUrl: string;
  /** Where PGlite keeps its files; ':memory:' keeps nothing. */
  dataDir: string;
  /** Schema to work in (tests isolate each run in its own). */
  schema?: string;
  timeouts?: Partial<DatabaseTimeouts>;
}

/** One knex for the whole app: PostgreSQL through pg when a URL is given, else embedded PGlite. */
export function createKnex(options: DatabaseOptions): Knex {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const common: Knex.Config = {
    ...knexSnakeCaseMappers(),
    migrations: { migrationSource },
  };
  if (options.databaseUrl) {
    return knexPkg.knex({
      ...common,
      acquireConnectionTimeout: timeouts.acquireMs,
      client: 'pg',
      connection: {
        connectionString: options.databaseUrl,
        connectionTimeoutMillis: timeouts.connectMs,
        keepAlive: true,
        ...(timeouts.queryMs
          ? {
              statement_timeout: timeouts.queryMs,
              // A server that stopped answering (a dead link rather than a refused one) cancels nothing.
              query_timeout: timeouts.queryMs + 1000,
            }
          : {}),
      },
      searchPath: options.schema ? [options.schema] : undefined,
      pool: {
        min: 0,
        max: 10,
        // A connection whose query timed out may still be waiting for its answer: never hand it out again.
        validate: (connection: { readyForQuery?: boolean }) => connection.readyForQuery === true,
      },
    });
  }
  let connection: object = {};
  if (options.dataDir !== ':memory:') {
    const filename = path.resolve(options.dataDir, 'pglite');
    mkdirSync(filename, { recursive: true });
    connection = { filename };
  }
  // PGlite has one connection, shared by every query in flight, and its first acquisition boots the
  // engine; on a busy machine either can outlast a timeout meant for a network pool.
  return knexPkg.knex({
    ...common,
    acquireConnectionTimeout: 60_000,
    client: ClientPgLite as unknown as typeof knexPkg.Client,
    dialect: 'postgres',
    connection,
  });
}

export async function migrateLatest(knex: Knex, schema?: string): Promise<void> {
  if (schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  await knex.migrate.latest();
}
