import type { Knex } from 'knex';
import type { Session, SessionRepository } from '../../application/ports/session-repository.js';
import { SessionModel } from './models/session.model.js';
import { isUuid } from './pg-errors.js';

function toSession(row: SessionModel | undefined): Session | null {
  if (!row) return null;
  return {
    id: row.id,
    userId: row.userId,
    refreshJti: row.refreshJti,
    createdAt: new Date(row.createdAt),
    expiresAt: new Date(row.expiresAt),
    revokedAt: row.revokedAt ? new Date(row.revokedAt) : null,
  };
}

export class KnexSessionRepository implements SessionRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(session: { userId: string; refreshJti: string; expiresAt: Date }): Promise<Session> {
    const row = await SessionModel.query(this.db).insert(session).returning('*');
    return toSession(row as unknown as SessionModel)!;
  }

  async findById(id: string): Promise<Session | null> {
    if (!isUuid(id)) return null;
    return toSession(await SessionModel.query(this.db).findById(id));
  }

  async rotate(id: string, fromJti: string, toJti: string, expiresAt: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const changed = await SessionModel.query(this.db)
      .patch({ refreshJti: toJti, expiresAt })
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
}
