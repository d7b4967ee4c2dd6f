import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createClient } from 'redis';
import { createDatabase, type Database, type DatabasePooler, migrateLatest } from '../../src/infrastructure/database.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/**
 * `transaction` when TEST_DATABASE_URL leads through a transaction-mode pooler (`npm run test:pgbouncer`):
 * the app's knex then runs as DATABASE_POOLER=transaction does, and each test database is a
 * database of its own rather than a schema (a search_path does not survive transaction pooling).
 */
export const TEST_DATABASE_POOLER: DatabasePooler = process.env.TEST_DATABASE_POOLER === 'transaction' ? 'transaction' : 'none';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** In CI every service must answer: a test that needs one fails instead of skipping. */
export const REQUIRE_SERVICES = process.env.REQUIRE_SERVICES === '1' || process.env.REQUIRE_SERVICES === 'true';

/** A database as the app makes it (its knex, its read pool on PostgreSQL), for a test of its own. */
export interface TestDatabase extends Database {
  /** PostgreSQL only: a second database of its own on the same one, as another instance of the app would have (close it yourself). */
  openPool?(): Database;
  /** Drops what the test created, and closes the database. */
  drop(): Promise<void>;
}

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Null when the backend is out of reach and may be skipped; throws when REQUIRE_SERVICES is set. */
  available(): Promise<boolean>;
  /** `poolMax`: connections of knex's pool, as DATABASE_POOL_MAX sets them (PGlite has one). */
  create(options?: { poolMax?: number }): Promise<TestDatabase>;
}

let postgresUp: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  postgresUp ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      if (REQUIRE_SERVICES) throw new Error(`PostgreSQL at ${TEST_DATABASE_URL} does not answer and REQUIRE_SERVICES is set: ${(error as Error).message}`);
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresUp;
}

let redisUp: Promise<boolean> | undefined;
/** Whether the shared Redis answers; throws instead of answering false when REQUIRE_SERVICES is set. */
export function redisAvailable(): Promise<boolean> {
  redisUp ??= (async () => {
    const client = createClient({ url: TEST_REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch (error) {
      if (REQUIRE_SERVICES) throw new Error(`Redis at ${TEST_REDIS_URL} does not answer and REQUIRE_SERVICES is set: ${(error as Error).message}`);
      return false;
    } finally {
      if (client.isOpen) client.destroy();
    }
  })();
  return redisUp;
}

let image: Promise<Blob> | undefined;
/**
 * The files initdb makes, kept in the temporary folder for every test process of the machine and
 * keyed by PGlite's version: a PGlite started from them skips initdb, the larger part of what
 * each start costs. Migrations still run on every database.
 */
export function pgliteImage(): Promise<Blob> {
  image ??= (async () => {
    const dist = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
    const { version } = JSON.parse(await readFile(path.join(dist, '..', 'package.json'), 'utf8')) as { version: string };
    const file = path.join(tmpdir(), `contacts-api-pglite-${version}.tar`);
    const kept = await readFile(file).catch(() => null);
    if (kept) return new Blob([kept]);
    const pglite = await PGlite.create();
    const files = await pglite.dumpDataDir('none');
    await pglite.close();
    // Test files start side by side: each writes a file of its own, and the rename replaces the whole.
    const written = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(written, Buffer.from(await files.arrayBuffer()));
    await rename(written, file);
    return files;
  })();
  return image;
}

/** An empty PGlite in memory, started from the kept image. */
export async function createPglite(): Promise<Database> {
  return createDatabase({ databaseUrl: '', dataDir: ':memory:', pgliteImage: await pgliteImage() });
}

export const pgliteBackend: Backend = {
  name: 'pglite',
  available: async () => true,
  async create() {
    const database = await createPglite();
    await migrateLatest(database.knex);
    return { ...database, drop: database.close };
  },
};

/**
 * Connection timeouts of the test databases. A test file may run a PGlite app beside its
 * PostgreSQL one in the same process, and PGlite's migrations hold the event loop for seconds: the
 * production default (3 s to connect) then expires before the connection's answer is even read.
 * The tests of the timeouts themselves (database-outage) set their own.
 */
const TEST_TIMEOUTS = { connectMs: 30_000, acquireMs: 45_000 };

/** Each database made here lives in a schema of its own (a database of its own behind a pooler), so test files run side by side. */
export const postgresBackend: Backend = {
  name: 'postgres',
  available: postgresAvailable,
  async create(options = {}) {
    const name = `test_${randomBytes(6).toString('hex')}`;
    if (TEST_DATABASE_POOLER === 'transaction') return createPooledDatabase(name, options.poolMax);
    const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema: name, timeouts: TEST_TIMEOUTS, poolMax: options.poolMax });
    await migrateLatest(database.knex, name);
    return {
      ...database,
      openPool: () => createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema: name, timeouts: TEST_TIMEOUTS }),
      async drop() {
        await database.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [name]);
        await database.close();
      },
    };
  },
};

/** A database of its own, reached through the pooler (which maps every database name to the server). */
async function createPooledDatabase(name: string, poolMax?: number): Promise<TestDatabase> {
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = createDatabase({ databaseUrl: url.href, dataDir: '', pooler: 'transaction', timeouts: TEST_TIMEOUTS, poolMax });
  await migrateLatest(database.knex);
  return {
    ...database,
    openPool: () => createDatabase({ databaseUrl: url.href, dataDir: '', pooler: 'transaction', timeouts: TEST_TIMEOUTS }),
    async drop() {
      await database.close();
      // The pooler may still hold server connections to it: FORCE ends them.
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Both, or the ones TEST_BACKENDS names (comma-separated): the pooler pass runs only `postgres`. */
export const BACKENDS: Backend[] = [pgliteBackend, postgresBackend].filter(
  (backend) => !process.env.TEST_BACKENDS || process.env.TEST_BACKENDS.split(',').includes(backend.name),
);

/**
 * One migrated PostgreSQL schema and two databases on it, as two instances of the app have: each
 * backend hands its app one of them (and drops nothing). `drop()` removes the schema and closes both.
 */
export async function oneSchemaTwoInstances(): Promise<{ backends: [Backend, Backend]; drop(): Promise<void> }> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const databases = [0, 1].map(() => createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema }));
  await migrateLatest(databases[0]!.knex, schema);
  const shared = (database: Database): Backend => ({
    name: 'postgres',
    available: async () => true,
    create: async () => ({ ...database, drop: async () => {} }),
  });
  return {
    backends: [shared(databases[0]!), shared(databases[1]!)],
    async drop() {
      await databases[0]!.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await Promise.all(databases.map((database) => database.close()));
    },
  };
}
