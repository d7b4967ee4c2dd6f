import { Model } from 'objection';
import type { TokenPurpose } from '../../../domain/one-time-token.js';

export class OneTimeTokenModel extends Model {
  static override tableName = 'one_time_tokens';
  id!: string;
  userId!: string;
  purpose!: TokenPurpose;
  tokenHash!: string;
  createdAt!: Date;
  expiresAt!: Date;
  consumedAt!: Date | null;
  newEmail!: string | null;
}
