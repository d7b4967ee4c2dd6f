import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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
  let filename: string | undefined;
  if (options.dataDir !== ':memory:') {
    filename = pgliteDir(options.dataDir);
    mkdirSync(filename, { recursive: true });
  }
  const connection = { pglite: new PGlite(filename, { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])] }) };
  // PGlite has one connection, shared by every query in flight, and its first acquisition boots the
  // engine; on a busy machine either can outlast a timeout meant for a network pool.
  return knexPkg.knex({
    ...common,
    acquireConnectionTimeout: 60_000,
    client: ClientPgLite as unknown as typeof knexPkg.Client,
    dialect: 'postgres',
    connection: connection as unknown as Knex.StaticConnectionConfig,
  });
}

/**
 * PostgreSQL's settings for the embedded database. PGlite runs PostgreSQL inside one WebAssembly
 * memory, which grows as PostgreSQL allocates and never shrinks, so what the server sizes for a
 * machine of its own (shared_buffers 128 MB, maintenance_work_mem 64 MB…) ends up in the app's RSS.
 * One user at a time and small tables need far less; reads beyond the buffers come from the
 * operating system's file cache. Measured: docs/decisions/embedded-database-memory.md.
 */
export const PGLITE_SETTINGS: readonly string[] = [
  'shared_buffers=16MB',
  'temp_buffers=2MB',
  'work_mem=2MB',
  'maintenance_work_mem=16MB',
  'wal_buffers=1MB',
];

const pgliteDir = (dataDir: string) => path.resolve(dataDir, 'pglite');

/**
 * Creates the embedded database's files (initdb) in a short-lived child process when they do not
 * exist yet. In-process, initdb's WebAssembly instance and the image of the new data folder stay
 * in the app's memory (650–800 MB RSS after a first start, against about 200 MB when the files
 * exist). Nothing to do on PostgreSQL, in memory, or once the files exist.
 */
export async function prepareEmbeddedDatabase(options: Pick<DatabaseOptions, 'databaseUrl' | 'dataDir'>): Promise<void> {
  if (options.databaseUrl || options.dataDir === ':memory:') return;
  const dir = pgliteDir(options.dataDir);
  if (existsSync(path.join(dir, 'PG_VERSION'))) return;
  mkdirSync(dir, { recursive: true });
  const module = import.meta.resolve('@electric-sql/pglite');
  const code = `const { PGlite } = await import(${JSON.stringify(module)});
const db = new PGlite(${JSON.stringify(dir)});
await db.waitReady;
await db.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const [code_] = (await once(child, 'exit')) as [number | null];
  if (code_ !== 0) throw new Error(`creating the embedded database in ${dir} failed:\n${stderr}`);
}

export async function migrateLatest(knex: Knex, schema?: string): Promise<void> {
  if (schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  await knex.migrate.latest();
}
