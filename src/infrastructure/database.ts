import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import knexPkg, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.js';
import { snakeCaseMappers } from '../adapters/persistence/snake-case.js';

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
const DEFAULT_POOL_MAX = 10;

export interface DatabaseOptions {
  /** PostgreSQL URL; empty → embedded PGlite. */
  databaseUrl: string;
  /** Where PGlite keeps its files; ':memory:' keeps nothing. */
  dataDir: string;
  /** Schema to work in (tests isolate each run in its own). */
  schema?: string;
  timeouts?: Partial<DatabaseTimeouts>;
  /**
   * What sits between the app and PostgreSQL. 'transaction': a transaction-mode pooler (PgBouncer,
   * a managed pooler), which keeps no session state from one transaction to the next, so no named
   * prepared statements and no startup parameters such as statement_timeout (set that on the role).
   * 'none' (default): a direct connection, or a session-mode pooler.
   */
  pooler?: DatabasePooler;
  /** Connections of knex's pool (default 10). */
  poolMax?: number;
  /**
   * Connections of the prepared reads' pool (default 10), beside knex's (see StatementRunner); 0:
   * they share knex's pool. None behind a transaction-mode pooler, where they go through knex.
   */
  readPoolMax?: number;
  /**
   * In memory only, a seam for the tests: the files of a freshly initialized database (PGlite's
   * `dumpDataDir`) to start from instead of running initdb, which costs each start seconds of CPU.
   */
  pgliteImage?: Blob;
}

export type DatabasePooler = 'none' | 'transaction';

/** The app's database: what the repositories are built on, and who closes it. */
export interface Database {
  knex: Knex;
  /**
   * The prepared reads' pool of their own, beside knex's; null on PGlite, behind a transaction-mode
   * pooler, and with `readPoolMax` 0, where they take connections from knex's pool.
   */
  readPool: pg.Pool | null;
  /** False behind a transaction-mode pooler, which keeps no named statements from one transaction to the next. */
  namedStatements: boolean;
  /** Connections of knex's pool, the one every write and transaction takes from (PGlite: its one connection). */
  poolMax: number;
  /** Ends knex's pool and the read pool (PGlite: the engine). Safe to call twice. */
  close(): Promise<void>;
}

/** PostgreSQL through pg when a URL is given, else embedded PGlite. */
export function createDatabase(options: DatabaseOptions): Database {
  const pooled = options.pooler === 'transaction';
  // knex keeps a schema with `SET search_path` on each new connection: session state a pooler loses.
  if (pooled && options.schema) throw new Error('a schema (search_path) cannot be kept behind a transaction-mode pooler');
  const poolMax = options.databaseUrl ? (options.poolMax ?? DEFAULT_POOL_MAX) : 1;
  const { knex, readPool } = options.databaseUrl ? connectPostgres(options, poolMax) : { knex: openPglite(options), readPool: null };
  let closed: Promise<void> | undefined;
  return {
    knex,
    readPool,
    namedStatements: !pooled,
    poolMax,
    close: () => (closed ??= Promise.all([readPool?.end(), knex.destroy()]).then(() => {})),
  };
}

const COMMON: Knex.Config = { ...snakeCaseMappers, migrations: { migrationSource } };

function connectPostgres(options: DatabaseOptions, poolMax: number): { knex: Knex; readPool: pg.Pool | null } {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const pooled = options.pooler === 'transaction';
  // No read pool behind a transaction-mode pooler: no named statements to keep there.
  const readPoolMax = pooled ? 0 : (options.readPoolMax ?? 10);
  // The read pool takes the schema as a startup parameter.
  if (readPoolMax > 0 && options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.schema)) {
    throw new Error(`unsupported schema name: ${JSON.stringify(options.schema)}`);
  }
  const connection = {
    connectionString: options.databaseUrl,
    connectionTimeoutMillis: timeouts.connectMs,
    keepAlive: true,
    ...(timeouts.queryMs
      ? {
          // A pooler refuses startup parameters it does not know (PgBouncer: "unsupported startup parameter").
          ...(pooled ? {} : { statement_timeout: timeouts.queryMs }),
          // A server that stopped answering (a dead link rather than a refused one) cancels nothing.
          query_timeout: timeouts.queryMs + 1000,
        }
      : {}),
  };
  const knex = knexPkg.knex({
    ...COMMON,
    acquireConnectionTimeout: timeouts.acquireMs,
    client: 'pg',
    connection,
    searchPath: options.schema ? [options.schema] : undefined,
    pool: {
      min: 0,
      max: poolMax,
      // A connection whose query timed out may still be waiting for its answer: never hand it out again.
      validate: (connection: { readyForQuery?: boolean }) => connection.readyForQuery === true,
    },
  });
  const readPool = readPoolMax > 0 ? statementPool({ connection, schema: options.schema, max: readPoolMax, acquireMs: timeouts.acquireMs }) : null;
  return { knex, readPool };
}

function openPglite(options: DatabaseOptions): Knex {
  let filename: string | undefined;
  if (options.dataDir !== ':memory:') {
    filename = pgliteDir(options.dataDir);
    mkdirSync(filename, { recursive: true });
  }
  // pg_trgm backs the contacts' search index (migration 20261206_19); PGlite loads an extension only when given it here.
  // One options object: `new PGlite(undefined, options)` (in memory) ignores the options.
  const pglite = new PGlite({
    dataDir: filename,
    ...(options.pgliteImage && options.dataDir === ':memory:' ? { loadDataDir: options.pgliteImage } : {}),
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((s) => ['-c', s])],
    extensions: { pg_trgm },
  });
  const connection = { pglite };
  // PGlite has one connection, shared by every query in flight, and its first acquisition boots the
  // engine; on a busy machine either can outlast a timeout meant for a network pool.
  return knexPkg.knex({
    ...COMMON,
    acquireConnectionTimeout: 60_000,
    client: ClientPgLite as unknown as typeof knexPkg.Client,
    dialect: 'postgres',
    connection: connection as unknown as Knex.StaticConnectionConfig,
  });
}

/**
 * The prepared reads' own pool (see StatementRunner): the same connection settings as knex's, a
 * schema as a startup parameter (knex sets its own with `SET search_path` on each new connection),
 * and the same bounds: `acquireMs` on waiting for a connection, opening included, `connectMs` (the
 * client's own) on opening one.
 */
function statementPool(options: { connection: pg.ClientConfig; schema?: string; max: number; acquireMs: number }): pg.Pool {
  const { connection, schema } = options;
  class StatementClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connection.connectionTimeoutMillis });
    }
  }
  const pool = new pg.Pool({
    ...connection,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    Client: StatementClient,
    max: options.max,
    connectionTimeoutMillis: options.acquireMs,
  });
  // An idle connection that breaks (the server restarted) is dropped by the pool, and the next
  // query opens another; without a listener the error would end the process.
  pool.on('error', () => {});
  return pool;
}

/**
 * PostgreSQL's settings for the embedded database. PGlite runs PostgreSQL inside one WebAssembly
 * memory, which grows as PostgreSQL allocates and never shrinks, so what the server sizes for a
 * machine of its own (its default shared_buffers and maintenance_work_mem) ends up in the app's RSS.
 * One user at a time and small tables need far less; reads beyond the buffers come from the
 * operating system's file cache. Measured: docs/decisions/embedded-database-memory.md.
 */
export const PGLITE_SETTINGS: readonly string[] = ['shared_buffers=16MB', 'temp_buffers=2MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'wal_buffers=1MB'];

const pgliteDir = (dataDir: string) => path.resolve(dataDir, 'pglite');

/**
 * Creates the embedded database's files (initdb) in a short-lived child process when they do not
 * exist yet. In-process, initdb's WebAssembly instance and the image of the new data folder would
 * stay in the app's memory, several times what it uses once the files exist (docs/measurements.md).
 * Nothing to do on PostgreSQL, in memory, or once the files exist.
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

/**
 * Applies pending migrations; safe when several instances start at once on one database.
 *
 * knex runs the migrations in one transaction that first takes its lock row, so a second instance
 * waits on that row and then finds nothing left to do. What knex does not guard is the first start
 * on an empty database: two instances would both create its tables and insert two lock rows (after
 * which no start could ever take the lock). That setup is done here first, under a transaction-level
 * advisory lock, which a transaction-mode pooler keeps (a session-level one it would not).
 */
export async function migrateLatest(knex: Knex, schema?: string): Promise<void> {
  if (isPg(knex)) await prepareMigrationTables(knex, schema);
  else if (schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  for (let attempt = 1; ; attempt++) {
    try {
      await knex.migrate.latest();
      return;
    } catch (error) {
      // Only a migration that opts out of transactions meets a lock held by another instance: wait for it.
      if ((error as Error).name !== 'MigrationLocked' || attempt >= MIGRATION_LOCK_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_LOCK_RETRY_MS));
    }
  }
}

const MIGRATION_LOCK_ATTEMPTS = 120;
const MIGRATION_LOCK_RETRY_MS = 500;

/** The pending migrations' names; writes nothing (knex's list would create its tables). */
export async function pendingMigrations(knex: Knex): Promise<string[]> {
  if (!(await knex.schema.hasTable('knex_migrations'))) return migrationSource.getMigrations([]);
  const [, pending] = (await knex.migrate.list()) as [unknown[], Array<string | { file: string }>];
  return pending.map((migration) => (typeof migration === 'string' ? migration : migration.file));
}

/** knex's own tables and lock row, as knex would create them, made once whatever the concurrency. */
async function prepareMigrationTables(knex: Knex, schema?: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`contacts-api migrations ${schema ?? ''}`]);
    if (schema) await trx.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    if (!(await trx.schema.hasTable('knex_migrations'))) {
      await trx.schema.createTable('knex_migrations', (t) => {
        t.increments();
        t.string('name');
        t.integer('batch');
        t.timestamp('migration_time');
      });
    }
    if (!(await trx.schema.hasTable('knex_migrations_lock'))) {
      await trx.schema.createTable('knex_migrations_lock', (t) => {
        t.increments('index').primary();
        t.integer('is_locked');
      });
    }
    const [row] = await trx('knex_migrations_lock').count({ n: '*' });
    if (Number(row?.n) === 0) await trx('knex_migrations_lock').insert({ isLocked: 0 });
  });
}

const isPg = (knex: Knex) => (knex.client.config as Knex.Config).client === 'pg';
