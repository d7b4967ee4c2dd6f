import type { Knex } from 'knex';
import {
  APP_PASSWORD_TOUCH_INTERVAL_MS,
  type AppPassword,
  type AppPasswordRepository,
  type NewAppPassword,
} from '../../application/ports/app-password-repository.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { isUuid } from './pg-errors.js';

/** A row of `app_passwords` as knex returns it (camelCase keys, see snakeCaseMappers). */
interface AppPasswordRow {
  id: string;
  userId: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const COLUMNS = ['id', 'userId', 'name', 'createdAt', 'lastUsedAt'] as const;

function toAppPassword(row: Omit<AppPasswordRow, 'secretHash'>): AppPassword {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    createdAt: new Date(row.createdAt),
    lastUsedAt: row.lastUsedAt ? new Date(row.lastUsedAt) : null,
  };
}

/** App passwords through the knex query builder; the secret's digest is written, never read back. */
export class KnexAppPasswordRepository implements AppPasswordRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(entry: NewAppPassword, max: number): Promise<AppPassword | null> {
    // The user's row is locked while counting, so two creations for one user take turns and the
    // second sees the first's row: the count cannot go past `max`. (A savepoint inside a unit of work.)
    return this.db.transaction(async (trx) => {
      const user = await trx('users').select('id').where('id', entry.userId).forUpdate().first();
      if (!user) throw new Unauthenticated();
      const [{ count }] = (await trx('app_passwords').where('userId', entry.userId).count({ count: '*' })) as [{ count: string | number }];
      if (Number(count) >= max) return null;
      const [row] = await trx<AppPasswordRow>('app_passwords')
        .insert({ userId: entry.userId, name: entry.name, secretHash: entry.secretHash, createdAt: entry.createdAt })
        .returning([...COLUMNS]);
      return toAppPassword(row!);
    });
  }

  async findBySecretHash(secretHash: string): Promise<AppPassword | null> {
    const row = await this.db<AppPasswordRow>('app_passwords')
      .select([...COLUMNS])
      .where('secretHash', secretHash)
      .first();
    return row ? toAppPassword(row) : null;
  }

  async listForUser(userId: string): Promise<AppPassword[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.db<AppPasswordRow>('app_passwords')
      .select([...COLUMNS])
      .where('userId', userId)
      .orderBy([
        { column: 'createdAt', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toAppPassword);
  }

  async deleteForUser(userId: string, id: string): Promise<boolean> {
    if (!isUuid(userId) || !isUuid(id)) return false;
    // Rows rather than a count: knex-pglite does not report how many rows a DELETE removed.
    return (await this.db('app_passwords').where({ id, userId }).delete().returning('id')).length === 1;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    if (!isUuid(userId)) return 0;
    return (await this.db('app_passwords').where('userId', userId).delete().returning('id')).length;
  }

  async touch(id: string, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.db('app_passwords')
      .update({ lastUsedAt: at })
      .where('id', id)
      .where((q) => q.whereNull('lastUsedAt').orWhere('lastUsedAt', '<=', new Date(at.getTime() - APP_PASSWORD_TOUCH_INTERVAL_MS)));
  }
}
