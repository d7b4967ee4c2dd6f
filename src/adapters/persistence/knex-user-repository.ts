import type { Knex } from 'knex';
import { raw } from 'objection';
import type { NewUser, UserRepository } from '../../application/ports/user-repository.js';
import { EmailTaken } from '../../domain/user.errors.js';
import type { User } from '../../domain/user.js';
import { emailKey } from '../../domain/validation.js';
import { UserModel } from './models/user.model.js';
import { isUniqueViolation, isUuid } from './pg-errors.js';

function toUser(row: UserModel | undefined): User | null {
  if (!row) return null;
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: row.emailVerified,
    avatarUrl: row.avatarUrl,
    passwordHash: row.passwordHash,
    tokenVersion: row.tokenVersion,
    createdAt: new Date(row.createdAt),
  };
}

export class KnexUserRepository implements UserRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(user: NewUser): Promise<User> {
    try {
      const row = await UserModel.query(this.db).insert(user).returning('*');
      return toUser(row as unknown as UserModel)!;
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTaken();
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    if (!isUuid(id)) return null;
    return toUser(await UserModel.query(this.db).findById(id));
  }

  async findByEmail(email: string, options: { lock?: boolean } = {}): Promise<User | null> {
    const query = UserModel.query(this.db).whereRaw('lower(email) = ?', [emailKey(email)]);
    return toUser(await (options.lock ? query.forUpdate() : query).first());
  }

  async markEmailVerified(id: string): Promise<User | null> {
    return this.update(id, { emailVerified: true });
  }

  async setPassword(id: string, passwordHash: string): Promise<User | null> {
    return this.update(id, { passwordHash, tokenVersion: raw('token_version + 1') as unknown as number });
  }

  async setAvatarUrl(id: string, avatarUrl: string): Promise<User | null> {
    return this.update(id, { avatarUrl });
  }

  async setUsername(id: string, username: string): Promise<User | null> {
    return this.update(id, { username });
  }

  async setEmail(id: string, email: string): Promise<User | null> {
    try {
      return await this.update(id, { email, emailVerified: true });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTaken();
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    // Rows rather than a count: knex-pglite does not report how many rows a DELETE removed.
    const deleted = await UserModel.query(this.db).delete().where('id', id).returning('id');
    return (deleted as unknown as unknown[]).length > 0;
  }

  private async update(id: string, patch: Partial<UserModel>): Promise<User | null> {
    if (!isUuid(id)) return null;
    const rows = await UserModel.query(this.db)
      .patch({ ...patch, updatedAt: new Date() })
      .where('id', id)
      .returning('*');
    return toUser((rows as unknown as UserModel[])[0]);
  }
}
