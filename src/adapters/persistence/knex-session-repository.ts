import type { Knex } from 'knex';
import { SESSION_TOUCH_INTERVAL_MS, type Session, type SessionRepository } from '../../application/ports/session-repository.js';
import { SessionModel } from './models/session.model.js';
import { isUuid } from './pg-errors.js';

function toSession(row: SessionModel | undefined): Session | null {
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

export class KnexSessionRepository implements SessionRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(session: { userId: string; refreshJti: string; expiresAt: Date; userAgent?: string | null; createdAt?: Date }): Promise<Session> {
    const { createdAt, userAgent, ...rest } = session;
    const row = await SessionModel.query(this.db)
      .insert({ ...rest, userAgent: userAgent ?? null, ...(createdAt ? { createdAt, lastUsedAt: createdAt } : {}) })
      .returning('*');
    return toSession(row as unknown as SessionModel)!;
  }

  async findById(id: string): Promise<Session | null> {
    if (!isUuid(id)) return null;
    return toSession(await SessionModel.query(this.db).findById(id));
  }

  async rotate(id: string, fromJti: string, toJti: string, expiresAt: Date, at?: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const changed = await SessionModel.query(this.db)
      .patch({ refreshJti: toJti, expiresAt, ...(at ? { lastUsedAt: at } : {}) })
      .where({ id, refreshJti: fromJti })
      .whereNull('revokedAt');
    return changed === 1;
  }

  async revoke(id: string, at: Date): Promise<void> {
    if (!isUuid(id)) return;
    await SessionModel.query(this.db).patch({ revokedAt: at }).where('id', id).whereNull('revokedAt');
  }

  async revokeAllForUser(userId: string, at: Date, exceptId?: string): Promise<string[]> {
    if (!isUuid(userId)) return [];
    const query = SessionModel.query(this.db).patch({ revokedAt: at }).where('userId', userId).whereNull('revokedAt');
    if (exceptId !== undefined && isUuid(exceptId)) query.whereNot('id', exceptId);
    const rows = (await query.returning('id')) as unknown as { id: string }[];
    return rows.map((r) => r.id);
  }

  async revokeForUser(userId: string, id: string, at: Date): Promise<boolean> {
    if (!isUuid(userId) || !isUuid(id)) return false;
    const changed = await SessionModel.query(this.db).patch({ revokedAt: at }).where({ id, userId }).whereNull('revokedAt').where('expiresAt', '>', at);
    return changed === 1;
  }

  async listAllForUser(userId: string): Promise<Session[]> {
    if (!isUuid(userId)) return [];
    const rows = await SessionModel.query(this.db)
      .where('userId', userId)
      .orderBy([
        { column: 'createdAt', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map((row) => toSession(row)!);
  }

  async listLive(userId: string, now: Date): Promise<Session[]> {
    if (!isUuid(userId)) return [];
    const rows = await SessionModel.query(this.db)
      .where('userId', userId)
      .whereNull('revokedAt')
      .where('expiresAt', '>', now)
      .orderBy([
        { column: 'createdAt', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map((row) => toSession(row)!);
  }

  async touch(id: string, at: Date): Promise<Date | null> {
    if (!isUuid(id)) return null;
    const written = (await SessionModel.query(this.db)
      .patch({ lastUsedAt: at })
      .where('id', id)
      .where('lastUsedAt', '<=', new Date(at.getTime() - SESSION_TOUCH_INTERVAL_MS))
      .returning('lastUsedAt')) as unknown as Pick<SessionModel, 'lastUsedAt'>[];
    // Nothing written (recorded less than a minute ago, maybe by another instance): read what is there.
    const row = written[0] ?? (await SessionModel.query(this.db).select('lastUsedAt').findById(id));
    return row ? new Date(row.lastUsedAt) : null;
  }
}
