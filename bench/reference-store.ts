/**
 * The reference server's data: a `contacts` table in a schema of its own, and the users and
 * sessions under a Redis key prefix of its own, holding the same rows the benchmark seeded into
 * the API. `drop()` removes both.
 */
import pg from 'pg';
import { createClient } from 'redis';

export interface ReferenceUser {
  id: string;
  username: string;
  email: string;
  emailVerified: boolean;
  avatarUrl: string | null;
  createdAt: string;
  tokenVersion: number;
}

export interface ReferenceContact {
  id: string;
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  birthday: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
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
    await db.query(`CREATE TABLE IF NOT EXISTS ${schema}.contacts (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      first_name text NOT NULL,
      last_name text NOT NULL,
      email text NOT NULL,
      phone text NOT NULL,
      birthday date,
      notes text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL)`);
    await db.query(`CREATE INDEX IF NOT EXISTS contacts_user_page ON ${schema}.contacts (user_id, created_at, id)`);
    // As in the API: one email per book whatever its case (a creation checks it).
    await db.query(`CREATE UNIQUE INDEX IF NOT EXISTS contacts_user_email ON ${schema}.contacts (user_id, lower(email))`);
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
      const batch = contacts.slice(i, i + 1000);
      const column = <K extends keyof ReferenceContact>(k: K) => batch.map((c) => c[k]);
      await this.db.query(
        `INSERT INTO ${schema}.contacts (id, user_id, first_name, last_name, email, phone, birthday, notes, created_at, updated_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[], $9::timestamptz[], $10::timestamptz[])`,
        [
          column('id'),
          column('userId'),
          column('firstName'),
          column('lastName'),
          column('email'),
          column('phone'),
          column('birthday'),
          column('notes'),
          column('createdAt'),
          column('updatedAt'),
        ],
      );
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
