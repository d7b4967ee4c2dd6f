import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { NewOneTimeToken, OneTimeTokenRecord, OneTimeTokenRepository } from '../../application/ports/one-time-token-repository.js';
import type { TokenPurpose } from '../../domain/one-time-token.js';
import { emailKey } from '../../domain/validation.js';
import { isUuid } from './pg-errors.js';

function addressDigest(address: string): string {
  return createHash('sha256').update(emailKey(address)).digest('hex');
}

/** A row of `one_time_tokens` as knex returns it (camelCase keys, see snakeCaseMappers). */
interface TokenRow {
  id: string;
  userId: string;
  purpose: TokenPurpose;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
  newEmail: string | null;
}

function toRecord(row: TokenRow | undefined): OneTimeTokenRecord | null {
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

/** One-time tokens, and when each (user, purpose) or new address was last sent one, through the knex query builder. */
export class KnexOneTimeTokenRepository implements OneTimeTokenRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  private get tokens() {
    return this.db<TokenRow>('one_time_tokens');
  }

  async create(token: NewOneTimeToken): Promise<void> {
    await this.db('email_token_issues')
      .insert({ userId: token.userId, purpose: token.purpose, lastIssuedAt: token.createdAt })
      .onConflict(['userId', 'purpose'])
      .merge({ lastIssuedAt: this.db.raw('GREATEST(??, excluded.last_issued_at)', ['email_token_issues.lastIssuedAt']) });
    await this.tokens.insert(token);
  }

  // The upsert locks the (user, purpose) row, or the new address's: a concurrent call waits for this
  // transaction, then re-checks the condition against what it committed, so only one of them gets a row back.
  async createUnlessIssuedSince(token: NewOneTimeToken, since: Date): Promise<boolean> {
    if (token.newEmail !== undefined) return this.createUnlessSentToAddressSince(token, token.newEmail, since);
    const claimed = await this.db('email_token_issues')
      .insert({ userId: token.userId, purpose: token.purpose, lastIssuedAt: token.createdAt })
      .onConflict(['userId', 'purpose'])
      .merge(['lastIssuedAt'])
      .where('email_token_issues.lastIssuedAt', '<=', since)
      .returning('userId');
    if (claimed.length === 0) return false;
    await this.tokens.insert(token);
    return true;
  }

  private async createUnlessSentToAddressSince(token: NewOneTimeToken, address: string, since: Date): Promise<boolean> {
    const claimed = await this.db('email_change_issues')
      .insert({ addressDigest: addressDigest(address), lastIssuedAt: token.createdAt })
      .onConflict('addressDigest')
      .merge(['lastIssuedAt'])
      .where('email_change_issues.lastIssuedAt', '<=', since)
      .returning('addressDigest');
    if (claimed.length === 0) return false;
    await this.db('email_change_issues').where('lastIssuedAt', '<=', since).delete();
    await this.tokens.insert(token);
    return true;
  }

  async findByHash(purpose: TokenPurpose, tokenHash: string): Promise<OneTimeTokenRecord | null> {
    return toRecord(await this.tokens.where({ purpose, tokenHash }).first());
  }

  async consume(id: string, at: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const changed = await this.tokens.update({ consumedAt: at }).where('id', id).whereNull('consumedAt');
    return changed === 1;
  }

  async release(id: string, consumedAt: Date): Promise<void> {
    if (!isUuid(id)) return;
    await this.tokens.update({ consumedAt: null }).where({ id, consumedAt });
  }

  async consumeAllForUser(userId: string, purpose: TokenPurpose, at: Date): Promise<void> {
    if (!isUuid(userId)) return;
    await this.tokens.update({ consumedAt: at }).where({ userId, purpose }).whereNull('consumedAt');
  }

  async lastIssuedAt(userId: string, purpose: TokenPurpose): Promise<Date | null> {
    if (!isUuid(userId)) return null;
    const row = (await this.tokens.where({ userId, purpose }).max('createdAt as last').first()) as { last: Date | string | null } | undefined;
    return row?.last ? new Date(row.last) : null;
  }
}
