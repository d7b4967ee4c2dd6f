/**
 * The reference server's data: a `contacts` table in a schema of its own, and the users and
 * sessions under a Redis key prefix of its own, holding the same rows the benchmark seeded into
 * the API. `drop()` removes both.
 */
import pg from 'pg';
import { createClient } from 'redis';
import { type ContactFields, emailKeysOf, labelKey, nameKeysOf, nameSortKey, searchTextOf } from '../src/domain/contact.js';

export interface ReferenceUser {
  id: string;
  username: string;
  email: string;
  emailVerified: boolean;
  avatarUrl: string | null;
  createdAt: string;
  tokenVersion: number;
}

/** A contact as the API holds it: every field, and what its ETag is made of. */
export interface ReferenceContact extends ContactFields {
  id: string;
  userId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * What the API derives from a contact's fields on every write (search text, email, label and name
 * keys, the name's sort key), from the same domain functions: the reference writes and indexes
 * them too, since a write of the API does.
 */
export function derivedColumns(fields: ContactFields) {
  return {
    search_text: searchTextOf(fields),
    email_keys: emailKeysOf(fields),
    label_keys: fields.labels.map(labelKey),
    name_keys: nameKeysOf(fields),
    name_sort: nameSortKey(fields),
  };
}

export interface ReferenceStoreOptions {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  redisPrefix: string;
}

const KEY_TTL_S = 3600;
export const NAME_COLUMNS = ['first_name', 'last_name', 'middle_name', 'prefix', 'suffix', 'nickname', 'organization', 'department', 'job_title'];
export const LIST_COLUMNS = ['emails', 'phones', 'addresses', 'urls'];

export class ReferenceStore {
  private readonly keys: string[] = [];

  private constructor(
    private readonly db: pg.Client,
    private readonly redis: ReturnType<typeof createClient>,
    readonly options: ReferenceStoreOptions,
  ) {}

  static async open(options: ReferenceStoreOptions): Promise<ReferenceStore> {
    const db = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 3000 });
    await db.connect();
    const redis = createClient({ url: options.redisUrl, socket: { connectTimeout: 3000, reconnectStrategy: false } });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (error) {
      await db.end();
      throw error;
    }
    const schema = pg.escapeIdentifier(options.schema);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // The API's columns and indexes (migrations 20261125_001 … 20261206_23), photo, card and change feed aside.
    await db.query(`CREATE TABLE IF NOT EXISTS ${schema}.contacts (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      ${NAME_COLUMNS.map((c) => `${c} text NOT NULL DEFAULT ''`).join(', ')},
      ${LIST_COLUMNS.map((c) => `${c} jsonb NOT NULL DEFAULT '[]'`).join(', ')},
      labels text[] NOT NULL DEFAULT '{}',
      birthday date,
      anniversary date,
      notes text,
      photo_url text,
      search_text text NOT NULL DEFAULT '',
      email_keys text[] NOT NULL DEFAULT '{}',
      label_keys text[] NOT NULL DEFAULT '{}',
      name_keys text[] NOT NULL DEFAULT '{}',
      name_sort text COLLATE "C" NOT NULL DEFAULT '',
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      deleted_at timestamptz)`);
    // Every read of the book is of its live contacts, as the API's (migration 20261206_23).
    await db.query(`CREATE INDEX IF NOT EXISTS contacts_user_live ON ${schema}.contacts (user_id, created_at, id) WHERE deleted_at IS NULL`);
    await db.query(`CREATE INDEX IF NOT EXISTS contacts_email_keys ON ${schema}.contacts USING gin (email_keys)`);
    await db.query(`CREATE INDEX IF NOT EXISTS contacts_label_keys ON ${schema}.contacts USING gin (label_keys)`);
    await db.query(`CREATE INDEX IF NOT EXISTS contacts_user_name ON ${schema}.contacts (user_id, name_sort, created_at, id)`);
    const { rows } = await db.query("SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'");
    const trgm = (rows[0] as { schema: string } | undefined)?.schema;
    if (trgm) {
      await db.query(`CREATE INDEX IF NOT EXISTS contacts_search_trgm ON ${schema}.contacts USING gin (search_text ${pg.escapeIdentifier(trgm)}.gin_trgm_ops)`);
    }
    return new ReferenceStore(db, redis, options);
  }

  /** Users and their live sessions, as the API's user cache would hold them. */
  async putUsers(users: ReferenceUser[], sessions: Array<{ id: string; userId: string }>): Promise<void> {
    const multi = this.redis.multi();
    for (const user of users) {
      const key = `${this.options.redisPrefix}user:${user.id}`;
      multi.set(key, JSON.stringify(user), { EX: KEY_TTL_S });
      this.keys.push(key);
    }
    for (const session of sessions) {
      const key = `${this.options.redisPrefix}session:${session.id}`;
      multi.set(key, '1', { EX: KEY_TTL_S });
      this.keys.push(key);
    }
    await multi.exec();
  }

  async putContacts(contacts: ReferenceContact[]): Promise<void> {
    const schema = pg.escapeIdentifier(this.options.schema);
    for (let i = 0; i < contacts.length; i += 1000) {
      const rows = contacts.slice(i, i + 1000).map((c) => ({
        id: c.id,
        user_id: c.userId,
        first_name: c.firstName,
        last_name: c.lastName,
        middle_name: c.middleName,
        prefix: c.prefix,
        suffix: c.suffix,
        nickname: c.nickname,
        organization: c.organization,
        department: c.department,
        job_title: c.jobTitle,
        emails: c.emails,
        phones: c.phones,
        addresses: c.addresses,
        urls: c.urls,
        labels: c.labels,
        birthday: c.birthday?.startsWith('--') ? null : c.birthday,
        anniversary: c.anniversary?.startsWith('--') ? null : c.anniversary,
        notes: c.notes,
        version: c.version,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        ...derivedColumns(c),
      }));
      await this.db.query(`INSERT INTO ${schema}.contacts SELECT * FROM jsonb_populate_recordset(NULL::${schema}.contacts, $1::jsonb)`, [JSON.stringify(rows)]);
    }
    await this.db.query(`ANALYZE ${schema}.contacts`);
  }

  async drop(): Promise<void> {
    await Promise.allSettled([
      this.db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(this.options.schema)} CASCADE`),
      this.keys.length > 0 ? this.redis.del(this.keys) : Promise.resolve(),
    ]);
    await Promise.allSettled([this.db.end(), this.redis.quit()]);
  }
}
