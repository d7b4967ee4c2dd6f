/**
 * The reference server's data: the API's tables (its migrations, run in a schema of its own), and
 * the users and sessions under a Redis key prefix of its own, holding the same rows the benchmark
 * seeded into the API. `drop()` removes both.
 */
import pg from 'pg';
import { createClient } from 'redis';
import { type ContactFields, emailKeysOf, labelKey, nameKeysOf, nameSortKey, searchTextOf } from '../src/domain/contact.js';
import { createDatabase, migrateLatest } from '../src/infrastructure/database.js';

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

export class ReferenceStore {
  private readonly keys: string[] = [];

  private constructor(
    private readonly db: pg.Client,
    private readonly redis: ReturnType<typeof createClient>,
    readonly options: ReferenceStoreOptions,
  ) {}

  static async open(options: ReferenceStoreOptions): Promise<ReferenceStore> {
    // In the schema, as the reference server's connections are: the API's triggers name their tables unqualified.
    const db = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 3000, options: `-c search_path=${options.schema}` });
    await db.connect();
    const redis = createClient({ url: options.redisUrl, socket: { connectTimeout: 3000, reconnectStrategy: false } });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (error) {
      await db.end();
      throw error;
    }
    // The API's own tables and indexes, from its migrations: a write of the reference updates the
    // same indexes and takes the same book counter (contact_books) as the API's.
    const database = createDatabase({ databaseUrl: options.databaseUrl, dataDir: ':memory:', schema: options.schema, readPoolMax: 0 });
    try {
      await migrateLatest(database.knex, options.schema);
    } catch (error) {
      await Promise.allSettled([db.end(), redis.quit()]);
      throw error;
    } finally {
      await database.close();
    }
    return new ReferenceStore(db, redis, options);
  }

  /**
   * Users and their live sessions, as the API's user cache would hold them; the users' rows too,
   * which the contacts and the book counters refer to (no password: the reference never logs in).
   */
  async putUsers(users: ReferenceUser[], sessions: Array<{ id: string; userId: string }>): Promise<void> {
    const schema = pg.escapeIdentifier(this.options.schema);
    await this.db.query(
      `INSERT INTO ${schema}.users (id, username, email, email_verified, avatar_url, password_hash, token_version, created_at)
        SELECT id, username, email, email_verified, coalesce(avatar_url, ''), '', token_version, created_at
        FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, username text, email text, email_verified boolean, avatar_url text, token_version int, created_at timestamptz)`,
      [
        JSON.stringify(
          users.map((u) => ({
            id: u.id,
            username: u.username,
            email: u.email,
            email_verified: u.emailVerified,
            avatar_url: u.avatarUrl,
            token_version: u.tokenVersion,
            created_at: u.createdAt,
          })),
        ),
      ],
    );
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
      const columns = Object.keys(rows[0]!).join(', ');
      await this.db.query(`INSERT INTO ${schema}.contacts (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::${schema}.contacts, $1::jsonb)`, [
        JSON.stringify(rows),
      ]);
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
