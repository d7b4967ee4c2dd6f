import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { NewOneTimeToken, OneTimeTokenRecord, OneTimeTokenRepository } from '../../application/ports/one-time-token-repository.js';
import type { TokenPurpose } from '../../domain/one-time-token.js';
import { emailKey } from '../../domain/validation.js';
import { OneTimeTokenModel } from './models/one-time-token.model.js';
import { isUuid } from './pg-errors.js';

function addressDigest(address: string): string {
  return createHash('sha256').update(emailKey(address)).digest('hex');
}

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

  async create(token: NewOneTimeToken): Promise<void> {
    await this.db.raw(
      `INSERT INTO email_token_issues (user_id, purpose, last_issued_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id, purpose) DO UPDATE SET last_issued_at = GREATEST(email_token_issues.last_issued_at, excluded.last_issued_at)`,
      [token.userId, token.purpose, token.createdAt],
    );
    await OneTimeTokenModel.query(this.db).insert(token);
  }

  // The upsert locks the (user, purpose) row, or the new address's: a concurrent call waits for this
  // transaction, then re-checks the condition against what it committed, so only one of them gets a row back.
  async createUnlessIssuedSince(token: NewOneTimeToken, since: Date): Promise<boolean> {
    if (token.newEmail !== undefined) return this.createUnlessSentToAddressSince(token, token.newEmail, since);
    const claimed = await this.db.raw(
      `INSERT INTO email_token_issues (user_id, purpose, last_issued_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id, purpose) DO UPDATE SET last_issued_at = excluded.last_issued_at
       WHERE email_token_issues.last_issued_at <= ?
       RETURNING user_id`,
      [token.userId, token.purpose, token.createdAt, since],
    );
    if ((claimed as { rows: unknown[] }).rows.length === 0) return false;
    await OneTimeTokenModel.query(this.db).insert(token);
    return true;
  }

  private async createUnlessSentToAddressSince(token: NewOneTimeToken, address: string, since: Date): Promise<boolean> {
    const claimed = await this.db.raw(
      `INSERT INTO email_change_issues (address_digest, last_issued_at) VALUES (?, ?)
       ON CONFLICT (address_digest) DO UPDATE SET last_issued_at = excluded.last_issued_at
       WHERE email_change_issues.last_issued_at <= ?
       RETURNING address_digest`,
      [addressDigest(address), token.createdAt, since],
    );
    if ((claimed as { rows: unknown[] }).rows.length === 0) return false;
    await this.db.raw('DELETE FROM email_change_issues WHERE last_issued_at <= ?', [since]);
    await OneTimeTokenModel.query(this.db).insert(token);
    return true;
  }

  async findByHash(purpose: TokenPurpose, tokenHash: string): Promise<OneTimeTokenRecord | null> {
    return toRecord(await OneTimeTokenModel.query(this.db).where({ purpose, tokenHash }).first());
  }

  async consume(id: string, at: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const changed = await OneTimeTokenModel.query(this.db).patch({ consumedAt: at }).where('id', id).whereNull('consumedAt');
    return changed === 1;
  }

  async release(id: string, consumedAt: Date): Promise<void> {
    if (!isUuid(id)) return;
    await OneTimeTokenModel.query(this.db).patch({ consumedAt: null }).where({ id, consumedAt });
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
