import type { Knex } from 'knex';
import type { OneTimeTokenRecord, OneTimeTokenRepository } from '../../application/ports/one-time-token-repository.js';
import type { TokenPurpose } from '../../domain/one-time-token.js';
import { OneTimeTokenModel } from './models/one-time-token.model.js';
import { isUuid } from './pg-errors.js';

function toRecord(row: OneTimeTokenModel | undefined): OneTimeTokenRecord | null {
  if (!row) return null;
  return {
    id: row.id,
    userId: row.userId,
    purpose: row.purpose,
    tokenHash: row.tokenHash,
    createdAt: new Date(row.createdAt),
    expiresAt: new Date(row.expiresAt),
    consumedAt: row.consumedAt ? new Date(row.consumedAt) : null,
    newEmail: row.newEmail ?? null,
  };
}

export class KnexOneTimeTokenRepository implements OneTimeTokenRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(token: { userId: string; purpose: TokenPurpose; tokenHash: string; createdAt: Date; expiresAt: Date; newEmail?: string }): Promise<void> {
    await OneTimeTokenModel.query(this.db).insert(token);
  }

  async findByHash(purpose: TokenPurpose, tokenHash: string): Promise<OneTimeTokenRecord | null> {
    return toRecord(await OneTimeTokenModel.query(this.db).where({ purpose, tokenHash }).first());
  }

  async consume(id: string, at: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const changed = await OneTimeTokenModel.query(this.db).patch({ consumedAt: at }).where('id', id).whereNull('consumedAt');
    return changed === 1;
  }

  async consumeAllForUser(userId: string, purpose: TokenPurpose, at: Date): Promise<void> {
    if (!isUuid(userId)) return;
    await OneTimeTokenModel.query(this.db).patch({ consumedAt: at }).where({ userId, purpose }).whereNull('consumedAt');
  }

  async lastIssuedAt(userId: string, purpose: TokenPurpose): Promise<Date | null> {
    if (!isUuid(userId)) return null;
    const row = await OneTimeTokenModel.query(this.db).where({ userId, purpose }).max('createdAt as last').first();
    const last = (row as unknown as { last: Date | string | null } | undefined)?.last;
    return last ? new Date(last) : null;
  }
}
