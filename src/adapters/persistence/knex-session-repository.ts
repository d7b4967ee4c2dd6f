import type { Knex } from 'knex';
import { SESSION_TOUCH_INTERVAL_MS, type Session, type SessionRepository } from '../../application/ports/session-repository.js';
import { isUuid } from './pg-errors.js';

/** A row of `sessions` as knex returns it (camelCase keys, see snakeCaseMappers). */
interface SessionRow {
  id: string;
  userId: string;
  refreshJti: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  expiresAt: Date;
  revokedAt: Date | null;
}

function toSession(row: SessionRow | undefined): Session | null {
  if (!row) return null;
  return {
    id: row.id,
    userId: row.userId,
    refreshJti: row.refreshJti,
    createdAt: new Date(row.createdAt),
    lastUsedAt: new Date(row.lastUsedAt),
    userAgent: row.userAgent ?? null,
    expiresAt: new Date(row.expiresAt),
    revokedAt: row.revokedAt ? new Date(row.revokedAt) : null,
  };
}

const NEWEST_FIRST = [
  { column: 'createdAt', order: 'desc' },
  { column: 'id', order: 'desc' },
] as const;

/** Sessions through the knex query builder. */
export class KnexSessionRepository implements SessionRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  private get sessions() {
    return this.db<SessionRow>('sessions');
  }

  async create(session: { userId: string; refreshJti: string; expiresAt: Date; userAgent?: string | null; createdAt?: Date }): Promise<Session> {
    const { createdAt, userAgent, ...rest } = session;
    const [row] = await this.sessions
      .insert({ ...rest, userAgent: userAgent ?? null, ...(createdAt ? { createdAt, lastUsedAt: createdAt } : {}) })
      .returning('*');
    return toSession(row)!;
  }

  async findById(id: string): Promise<Session | null> {
    if (!isUuid(id)) return null;
    return toSession(await this.sessions.where('id', id).first());
  }

  async rotate(id: string, fromJti: string, toJti: string, expiresAt: Date, at?: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const changed = await this.sessions
      .update({ refreshJti: toJti, expiresAt, ...(at ? { lastUsedAt: at } : {}) })
      .where({ id, refreshJti: fromJti })
      .whereNull('revokedAt');
    return changed === 1;
  }

  async revoke(id: string, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.sessions.update({ revokedAt: at }).where('id', id).whereNull('revokedAt');
  }

  async revokeAllForUser(userId: string, at: Date, exceptId?: string): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const query = this.sessions.update({ revokedAt: at }).where('userId', userId).whereNull('revokedAt');
    if (exceptId !== undefined && isUuid(exceptId)) query.whereNot('id', exceptId);
    const rows = await query.returning('id');
    return rows.map((r) => r.id);
  }

  async revokeForUser(userId: string, id: string, at: Date): Promise<boolean> {
    if (!isUuid(userId) || !isUuid(id)) return false;
    const changed = await this.sessions.update({ revokedAt: at }).where({ id, userId }).whereNull('revokedAt').where('expiresAt', '>', at);
    return changed === 1;
  }

  async listAllForUser(userId: string): Promise<Session[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.sessions.where('userId', userId).orderBy([...NEWEST_FIRST]);
    return rows.map((row) => toSession(row)!);
  }

  async listLive(userId: string, now: Date): Promise<Session[]> {
    if (!isUuid(userId)) return [];
    const rows = await this.sessions
      .where('userId', userId)
      .whereNull('revokedAt')
      .where('expiresAt', '>', now)
      .orderBy([...NEWEST_FIRST]);
    return rows.map((row) => toSession(row)!);
  }

  async touch(id: string, at: Date): Promise<Date | null> {
    if (!isUuid(id)) return null;
    const written = await this.sessions
      .update({ lastUsedAt: at })
      .where('id', id)
      .where('lastUsedAt', '<=', new Date(at.getTime() - SESSION_TOUCH_INTERVAL_MS))
      .returning('lastUsedAt');
    // Nothing written (recorded less than a minute ago, maybe by another instance): read what is there.
    const row = written[0] ?? (await this.sessions.select('lastUsedAt').where('id', id).first());
    return row ? new Date(row.lastUsedAt) : null;
  }
}
