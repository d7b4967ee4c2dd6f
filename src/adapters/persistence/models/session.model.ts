import { Model } from 'objection';

export class SessionModel extends Model {
  static override tableName = 'sessions';
  id!: string;
  userId!: string;
  refreshJti!: string;
  createdAt!: Date;
  lastUsedAt!: Date;
  userAgent!: string | null;
  expiresAt!: Date;
  revokedAt!: Date | null;
}
