import type { Knex } from 'knex';
import type { NewUser, UserRepository } from '../../application/ports/user-repository.js';
import { EmailTaken } from '../../domain/user.errors.js';
import type { User } from '../../domain/user.js';
import { emailKey } from '../../domain/validation.js';
import { isUniqueViolation, isUuid } from './pg-errors.js';

/** A row of `users` as knex returns it (camelCase keys, see snakeCaseMappers). */
interface UserRow {
  id: string;
  username: string;
  email: string;
  emailVerified: boolean;
  avatarUrl: string;
  passwordHash: string;
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

function toUser(row: UserRow | undefined): User | null {
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

/** Users through the knex query builder. */
export class KnexUserRepository implements UserRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  private get users() {
    return this.db<UserRow>('users');
  }

  async create(user: NewUser): Promise<User> {
    try {
      const [row] = await this.users.insert(user).returning('*');
      return toUser(row)!;
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTaken();
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    if (!isUuid(id)) return null;
    return toUser(await this.users.where('id', id).first());
  }

  async findByEmail(email: string, options: { lock?: boolean } = {}): Promise<User | null> {
    const query = this.users.whereRaw('lower(email) = ?', [emailKey(email)]);
    return toUser(await (options.lock ? query.forUpdate() : query).first());
  }

  async markEmailVerified(id: string): Promise<User | null> {
    return this.update(id, { emailVerified: true });
  }

  async setPassword(id: string, passwordHash: string): Promise<User | null> {
    return this.update(id, { passwordHash, tokenVersion: this.db.raw('token_version + 1') });
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
    const deleted = await this.users.where('id', id).delete().returning('id');
    return deleted.length > 0;
  }

  private async update(id: string, changes: { [K in keyof UserRow]?: UserRow[K] | Knex.Raw }): Promise<User | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.users
      .update({ ...changes, updatedAt: new Date() })
      .where('id', id)
      .returning('*');
    return toUser(row as UserRow | undefined);
  }
}
