import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { createClient } from 'redis';
import { createKnex, migrateLatest } from '../../src/infrastructure/database.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** In CI every service must answer: a test that needs one fails instead of skipping. */
export const REQUIRE_SERVICES = process.env.REQUIRE_SERVICES === '1' || process.env.REQUIRE_SERVICES === 'true';

export interface TestDatabase {
  knex: Knex;
  /** Drops what the test created. */
  drop(): Promise<void>;
}

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Null when the backend is out of reach and may be skipped; throws when REQUIRE_SERVICES is set. */
  available(): Promise<boolean>;
  create(): Promise<TestDatabase>;
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

export const pgliteBackend: Backend = {
  name: 'pglite',
  available: async () => true,
  async create() {
    const knex = createKnex({ databaseUrl: '', dataDir: ':memory:' });
    await migrateLatest(knex);
    return { knex, drop: () => knex.destroy() };
  },
};

/** Each database made here lives in a schema of its own, so test files run side by side. */
export const postgresBackend: Backend = {
  name: 'postgres',
  available: postgresAvailable,
  async create() {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const knex = createKnex({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema });
    await migrateLatest(knex, schema);
    return {
      knex,
      async drop() {
        await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
        await knex.destroy();
      },
    };
  },
};

export const BACKENDS: Backend[] = [pgliteBackend, postgresBackend];
