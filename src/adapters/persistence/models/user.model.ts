import { Model } from 'objection';

export class UserModel extends Model {
  static override tableName = 'users';
  id!: string;
  username!: string;
  email!: string;
  emailVerified!: boolean;
  avatarUrl!: string;
  passwordHash!: string;
  tokenVersion!: number;
  createdAt!: Date;
  updatedAt!: Date;
}
