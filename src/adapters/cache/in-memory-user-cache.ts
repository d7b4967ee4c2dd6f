import type { CachedAuth, UserCache } from '../../application/ports/user-cache.js';
import { toPublicUser, type AuthUser } from '../../domain/user.js';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** A cached user, or only the floor an eviction left (user null): the version putUser may not go under. */
interface UserSlot {
  user: AuthUser | null;
  tokenVersion: number;
}

/** The cache of a single process: used when no REDIS_URL is set. Entries expire after ttlSeconds. */
export class InMemoryUserCache implements UserCache {
  private readonly users = new Map<string, Entry<UserSlot>>();
  private readonly sessions = new Map<string, Entry<boolean>>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly maxEntries = 100_000,
  ) {}

  async get(userId: string, sessionId: string): Promise<CachedAuth> {
    return { user: this.read(this.users, userId)?.user ?? null, sessionActive: this.read(this.sessions, sessionId) };
  }

  async putUser(user: AuthUser): Promise<void> {
    // A request that read the user before a password change must not bring the old version back.
    const held = this.read(this.users, user.id);
    if (held && held.tokenVersion > user.tokenVersion) return;
    this.write(this.users, user.id, { user: structuredClone({ ...toPublicUser(user), tokenVersion: user.tokenVersion }), tokenVersion: user.tokenVersion });
  }

  async putSession(sessionId: string, active: boolean): Promise<void> {
    // A request that read the session before a logout must not make it live again.
    if (active && this.read(this.sessions, sessionId) === false) return;
    this.write(this.sessions, sessionId, active);
  }

  async evictUser(userId: string, tokenVersion?: number): Promise<void> {
    const floor = Math.max(tokenVersion ?? -1, this.read(this.users, userId)?.tokenVersion ?? -1);
    if (floor < 0) this.users.delete(userId);
    else this.write(this.users, userId, { user: null, tokenVersion: floor });
  }

  async evictSession(sessionId: string): Promise<void> {
    this.write(this.sessions, sessionId, false);
  }

  private read<T>(map: Map<string, Entry<T>>, key: string): T | null {
    const entry = map.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      map.delete(key);
      return null;
    }
    return typeof entry.value === 'object' ? structuredClone(entry.value) : entry.value;
  }

  private write<T>(map: Map<string, Entry<T>>, key: string, value: T): void {
    // Bounded: when full, the oldest insertion goes first (Map keeps insertion order).
    if (map.size >= this.maxEntries && !map.has(key)) map.delete(map.keys().next().value as string);
    map.set(key, { value, expiresAt: Date.now() + this.ttlSeconds * 1000 });
  }
}
