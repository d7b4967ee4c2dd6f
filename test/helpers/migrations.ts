import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createDatabase, type Database } from '../../src/infrastructure/database.js';
import { createPglite, postgresAvailable, TEST_DATABASE_URL } from './databases.js';

/** A database a migration test may take up and down: PGlite in memory, or a scratch schema of PostgreSQL. */
export interface MigrationSubject {
  name: string;
  available: () => Promise<boolean>;
  open: () => Promise<Database & { drop: () => Promise<void> }>;
}

export const MIGRATION_SUBJECTS: readonly MigrationSubject[] = [
  {
    name: 'pglite',
    available: async () => true,
    open: async () => {
      const database = await createPglite();
      return { ...database, drop: database.close };
    },
  },
  {
    name: 'postgres',
    available: postgresAvailable,
    open: async () => {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      const database = createDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema });
      await database.knex.raw('CREATE SCHEMA ??', [schema]);
      return {
        ...database,
        drop: async () => {
          await database.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
          await database.close();
        },
      };
    },
  },
];

const applied = async (knex: Knex) => ((await knex.migrate.list()) as [{ name: string }[], unknown])[0].map((m) => m.name);

/** Applies migrations one at a time until `name` is done. */
export async function migrateThrough(knex: Knex, name: string): Promise<void> {
  while (!(await applied(knex)).includes(name)) await knex.migrate.up();
}

/** Undoes migrations one at a time, the latest first, until `name` is undone too (whatever came after it). */
export async function migrateDownThrough(knex: Knex, name: string): Promise<void> {
  while ((await applied(knex)).includes(name)) await knex.migrate.down();
}
