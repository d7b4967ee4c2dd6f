import { createHash, randomBytes } from 'node:crypto';
import type { createClient } from 'redis';
import type { Logger } from '../../application/ports/logger.js';
import type { CachedAuth, UserCache } from '../../application/ports/user-cache.js';
import type { AuthUser } from '../../domain/user.js';
import { withTimeout } from '../with-timeout.js';

export interface RedisUserCacheOptions {
  ttlSeconds: number;
  /** Every key starts with it (e.g. `contacts:auth:`), so several apps or test runs can share a Redis. */
  keyPrefix: string;
  /** Each command is raced against a timer this long; a command that loses makes the cache miss. */
  commandTimeoutMs: number;
  logger: Logger;
  /** While Redis is untrusted, a resynchronisation is tried at most this often. */
  retryIntervalMs?: number;
}

type RedisClient = ReturnType<typeof createClient>;

const MISS: CachedAuth = { user: null, sessionActive: null };

// Every write below is one of these scripts, and each runs only under the generation current in
// Redis: KEYS[1] is the generation key, ARGV[1] the generation the writer holds. On a mismatch the
// script writes nothing and answers the current generation ('' when the key is gone), so that a
// revocation can be sent again under it (see RedisUserCache.write). Without this an instance that
// had not yet read another's rotation wrote its revocations under a generation nobody read.
const UNDER_CURRENT_GENERATION = `
local current = redis.call('GET', KEYS[1])
if current ~= ARGV[1] then return current or '' end
`;

/** The tokenVersion a user's key holds (an entry or a floor), or nil when it holds none that parses. */
const HELD_VERSION = `
local function held_version(key)
  local held = redis.call('GET', key)
  if not held then return nil end
  local ok, entry = pcall(cjson.decode, held)
  if ok and type(entry) == 'table' then return tonumber(entry.tokenVersion) end
  return nil
end
`;

/**
 * The compare-and-set of putUser. KEYS[2] the user's key; ARGV[2..4]: the entry, its tokenVersion,
 * the TTL. Writes unless the key holds a higher tokenVersion (an entry, or a floor left by EVICT_USER).
 */
const PUT_USER = `${UNDER_CURRENT_GENERATION}${HELD_VERSION}
local version = held_version(KEYS[2])
if version and version > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return 1`;

/**
 * evictUser. KEYS[2] the user's key; ARGV[2..3]: a tokenVersion floor or '', the TTL. Replaces the
 * entry with `{"tokenVersion":<floor>}`, the higher of the given floor and the evicted entry's
 * version (get reads it as a miss, PUT_USER as a floor); deletes the key when neither is known.
 */
const EVICT_USER = `${UNDER_CURRENT_GENERATION}${HELD_VERSION}
local floor = tonumber(ARGV[2]) or -1
local version = held_version(KEYS[2])
if version and version > floor then floor = version end
if floor < 0 then redis.call('DEL', KEYS[2]) return 1 end
redis.call('SET', KEYS[2], string.format('{"tokenVersion":%d}', floor), 'EX', ARGV[3])
return 1`;

/**
 * putSession and evictSession. KEYS[2] the session's key; ARGV[2..3]: '1' (live) or '0' (ended),
 * the TTL. A live session is written only where nothing is (NX): a request that read it before a
 * logout must not overwrite the logout's tombstone.
 */
const SET_SESSION = `${UNDER_CURRENT_GENERATION}
if ARGV[2] == '1' then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3], 'NX')
else
  redis.call('SET', KEYS[2], '0', 'EX', ARGV[3])
end
return 1`;

/** How often a revocation is sent again under a generation that moved meanwhile before giving up. */
const REVOCATION_ATTEMPTS = 3;

/** A fill a get announced by missing: the generation the get read, and how many such fills are under way. */
interface AnnouncedFill {
  generation: string;
  pending: number;
  since: number;
}

/** The generation announced for a fill whose get could not read Redis: the fill is not written. */
const UNWRITABLE = '';

/** Keys with fills under way that this instance remembers; beyond it the oldest is forgotten. */
const ANNOUNCED_MAX = 10_000;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SHAS = new Map([PUT_USER, EVICT_USER, SET_SESSION].map((script) => [script, sha1(script)]));

/**
 * The user cache shared by every instance of the app, in Redis.
 *
 * An entry may outlive the database change that should have evicted it when Redis did not answer
 * the eviction (or restarted from an older snapshot). So the cache trusts Redis only after it has
 * resynchronised: from the first failed command or lost connection it answers every get with a
 * miss (authentication then reads the database) and writes nothing; once Redis answers again it
 * rotates the generation that every key carries, which orphans every entry written before, whoever
 * wrote it. Every read fetches the current generation in the same MGET, so an instance that did
 * not see the outage drops the old entries too. A revocation lands under the generation current
 * in Redis when it is written, whatever this instance last read, so it holds on every instance at
 * once; a fill lands only under the generation its get read before the database. Writes that race
 * a revocation cannot undo it: putUser is a compare-and-set refusing a lower token version
 * (evictUser leaves the version as a floor), a live session is written only where no tombstone
 * is. See docs/decisions/user-cache-revocation.md.
 */
export class RedisUserCache implements UserCache {
  private generation: string | null = null;
  private trusted = false;
  private degradedSince: number | null = null;
  private resyncing: Promise<boolean> | null = null;
  private lastAttempt = 0;
  private readonly retryIntervalMs: number;
  /** By `user:<id>` or `session:<id>`; see announce. */
  private readonly announced = new Map<string, AnnouncedFill>();

  constructor(
    private readonly client: RedisClient,
    private readonly options: RedisUserCacheOptions,
  ) {
    this.retryIntervalMs = options.retryIntervalMs ?? 1000;
    client.on('error', (error: Error) => this.distrust(error));
    client.on('end', () => this.distrust(new Error('connection closed'), false)); // closed by us, at shutdown
    client.on('ready', () => void this.resync());
  }

  async get(userId: string, sessionId: string): Promise<CachedAuth> {
    const generation = this.usableGeneration();
    if (!generation) return this.missed(null, userId, sessionId, MISS);
    let values: (string | null)[];
    try {
      values = await this.bounded(this.client.mGet([this.generationKey(), this.userKey(generation, userId), this.sessionKey(generation, sessionId)]));
    } catch (error) {
      this.distrust(error);
      return this.missed(null, userId, sessionId, MISS);
    }
    const [current, user, session] = values;
    if (current !== generation) {
      // Another instance resynchronised (adopt its generation), or Redis lost the key (start over).
      if (current) this.generation = current;
      else this.distrust(new Error('the cache generation is missing'), false);
      return this.missed(current || null, userId, sessionId, MISS);
    }
    return this.missed(generation, userId, sessionId, { user: parseUser(user ?? null), sessionActive: sessionOf(session ?? null) });
  }

  /**
   * A get whose read is done by a script of the caller's (RedisAdmission's), so that the script can
   * do more in the same round trip. `run` gets the generation to pass as ARGV[1] and the keys of the
   * generation, the user and the session, to pass as KEYS[1..3]; its reply must begin as MGET's
   * check does: `{0, current generation or ''}` when ARGV[1] is not the current generation, else
   * `{1, user entry or '', session entry or '', ...}`. Answers what a get would, with the rest of the
   * reply (empty on a miss, a mismatch or a failure: the cache is then distrusted as by a get).
   */
  async readWith(
    userId: string,
    sessionId: string,
    run: (generation: string, keys: string[]) => Promise<unknown>,
  ): Promise<{ cached: CachedAuth; rest: unknown[] }> {
    const generation = this.usableGeneration();
    if (!generation) return { cached: this.missed(null, userId, sessionId, MISS), rest: [] };
    let reply: unknown[];
    try {
      reply = (await run(generation, [this.generationKey(), this.userKey(generation, userId), this.sessionKey(generation, sessionId)])) as unknown[];
    } catch (error) {
      this.distrust(error);
      return { cached: this.missed(null, userId, sessionId, MISS), rest: [] };
    }
    const [sameGeneration, userOrGeneration, session] = reply as [number, string, string | undefined];
    if (sameGeneration !== 1) {
      if (userOrGeneration) this.generation = userOrGeneration;
      else this.distrust(new Error('the cache generation is missing'), false);
      return { cached: this.missed(userOrGeneration || null, userId, sessionId, MISS), rest: [] };
    }
    const cached = { user: parseUser(userOrGeneration || null), sessionActive: sessionOf(session || null) };
    return { cached: this.missed(generation, userId, sessionId, cached), rest: reply.slice(3) };
  }

  /**
   * Announces the fills that will follow what `answer` misses, read under `generation`; null when
   * Redis is untrusted or did not answer: those fills are never written, since a revocation may
   * have been written meanwhile under a generation that the resynchronisation then orphaned.
   */
  private missed(generation: string | null, userId: string, sessionId: string, answer: CachedAuth): CachedAuth {
    if (!answer.user) this.announce(`user:${userId}`, generation ?? UNWRITABLE);
    if (answer.sessionActive === null) this.announce(`session:${sessionId}`, generation ?? UNWRITABLE);
    return answer;
  }

  /**
   * A get missed: the caller is about to read the database and fill the key. The fill is written
   * only under the generation this get read, so a rotation in between (which orphans the floors
   * and tombstones of revocations that committed meanwhile) drops it, whatever generation the
   * instance adopts before the fill lands. With several fills of a key under way, all are written
   * under the oldest generation any of them read: fills do not say which get announced them.
   * An announcement is trusted for as long as an entry would live (a fill later than that is not
   * guarded, as the floors are not).
   */
  private announce(key: string, generation: string): void {
    const now = Date.now();
    const held = this.announced.get(key);
    if (held && now - held.since < this.options.ttlSeconds * 1000) {
      held.pending += 1;
      return;
    }
    if (held) this.announced.delete(key);
    else if (this.announced.size >= ANNOUNCED_MAX) this.announced.delete(this.announced.keys().next().value!);
    this.announced.set(key, { generation, pending: 1, since: now });
  }

  /** The generation a fill of `key` is written under: the one its get read, or the instance's for a fill no get announced. */
  private fillGeneration(key: string): string | null {
    const held = this.announced.get(key);
    if (held) {
      held.pending -= 1;
      if (held.pending <= 0) this.announced.delete(key);
    }
    const generation = this.usableGeneration();
    if (!generation || !held || Date.now() - held.since >= this.options.ttlSeconds * 1000) return generation;
    return held.generation === UNWRITABLE ? null : held.generation;
  }

  async putUser(user: AuthUser): Promise<void> {
    const generation = this.fillGeneration(`user:${user.id}`);
    if (!generation) return;
    // One atomic compare-and-set: a request that read the user before a password change cannot
    // write the old token version back after the change evicted it.
    await this.write(generation, PUT_USER, (generation) => this.userKey(generation, user.id), [
      serializeUser(user),
      String(user.tokenVersion),
      String(this.options.ttlSeconds),
    ]);
  }

  async putSession(sessionId: string, active: boolean): Promise<void> {
    const generation = this.fillGeneration(`session:${sessionId}`);
    if (!generation) return;
    // An ended session is written like a revocation: it can only make the cache stricter.
    if (!active) return this.evictSession(sessionId);
    await this.write(generation, SET_SESSION, (generation) => this.sessionKey(generation, sessionId), ['1', String(this.options.ttlSeconds)]);
  }

  async evictUser(userId: string, tokenVersion?: number): Promise<void> {
    const generation = this.usableGeneration();
    if (!generation) return;
    const floor = tokenVersion === undefined ? '' : String(tokenVersion);
    await this.write(generation, EVICT_USER, (generation) => this.userKey(generation, userId), [floor, String(this.options.ttlSeconds)], { revokes: true });
  }

  async evictSession(sessionId: string): Promise<void> {
    const generation = this.usableGeneration();
    if (!generation) return;
    // A tombstone rather than a delete, for the same reason as the NX of SET_SESSION.
    await this.write(generation, SET_SESSION, (generation) => this.sessionKey(generation, sessionId), ['0', String(this.options.ttlSeconds)], {
      revokes: true,
    });
  }

  /**
   * Makes Redis trusted again: a new generation orphans every entry written before. Resolves
   * whether it worked; the composition root calls it at start, the client's `ready` event after
   * a reconnection, and a get while untrusted (at most once per retry interval).
   */
  resync(): Promise<boolean> {
    this.resyncing ??= (async () => {
      this.lastAttempt = Date.now();
      const next = randomBytes(9).toString('base64url');
      try {
        if (!this.client.isReady) return false;
        await this.bounded(this.client.set(this.generationKey(), next));
      } catch (error) {
        this.distrust(error);
        return false;
      }
      this.generation = next;
      this.trusted = true;
      if (this.degradedSince !== null) {
        this.options.logger.info({ unavailableMs: Date.now() - this.degradedSince }, 'user cache resynchronised with Redis and in use again');
        this.degradedSince = null;
      }
      return true;
    })().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  /** The generation to use, or null (and a resynchronisation started) while Redis is untrusted. */
  private usableGeneration(): string | null {
    if (this.trusted && this.client.isReady && this.generation) return this.generation;
    if (this.trusted) this.distrust(new Error('not connected'));
    if (this.client.isReady && !this.resyncing && Date.now() - this.lastAttempt >= this.retryIntervalMs) void this.resync();
    return null;
  }

  /**
   * Runs one of this file's write scripts on the key `keyOf(generation)`, if `generation` is the
   * one current in Redis at that moment. (Untrusted, callers write nothing: the resynchronisation
   * will orphan whatever the write was about.) When the generation moved since this instance last
   * read it, the script writes nothing and this instance adopts the current one; then a revocation
   * is sent again under it (readers use only the current generation, so a revocation must land
   * there whatever this instance last saw), while a fill is dropped: it may carry what the
   * database held before a revocation that went to the older generation.
   */
  private async write(generation: string, script: string, keyOf: (generation: string) => string, args: string[], { revokes = false } = {}): Promise<void> {
    for (let attempt = 0; attempt < REVOCATION_ATTEMPTS; attempt++) {
      let reply: unknown;
      try {
        reply = await this.bounded(this.script(script, [this.generationKey(), keyOf(generation)], [generation, ...args]));
      } catch (error) {
        this.distrust(error);
        return;
      }
      if (typeof reply !== 'string') return;
      if (!reply) {
        this.distrust(new Error('the cache generation is missing'), false);
        return;
      }
      this.generation = reply;
      if (!revokes) return;
      generation = reply;
    }
    // Rotated again at every attempt: a rotation of this instance's own orphans what it could not evict.
    this.distrust(new Error('the cache generation kept changing under a revocation'), false);
    void this.resync();
  }

  /** From now on every get misses until resync() succeeds; said once per outage in the log. */
  private distrust(error: unknown, degraded = true): void {
    this.trusted = false;
    if (!degraded || this.degradedSince !== null) return;
    this.degradedSince = Date.now();
    this.options.logger.warn(
      { err: { message: error instanceof Error ? error.message : String(error) } },
      'user cache unavailable: authenticating from the database until Redis answers and is resynchronised',
    );
  }

  /** EVALSHA of one of this file's scripts; EVAL, which loads it, when Redis does not know it yet. */
  private async script(script: string, keys: string[], args: string[]): Promise<unknown> {
    const options = { keys, arguments: args };
    try {
      return await this.client.evalSha(SHAS.get(script)!, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script, options);
    }
  }

  private bounded<T>(command: Promise<T>): Promise<T> {
    const ms = this.options.commandTimeoutMs;
    return withTimeout(command, ms, `Redis did not answer within ${ms} ms`);
  }

  private generationKey(): string {
    return `${this.options.keyPrefix}generation`;
  }

  private userKey(generation: string, userId: string): string {
    return `${this.options.keyPrefix}${generation}:user:${userId}`;
  }

  private sessionKey(generation: string, sessionId: string): string {
    return `${this.options.keyPrefix}${generation}:session:${sessionId}`;
  }
}

function sessionOf(held: string | null): boolean | null {
  return held === '1' ? true : held === '0' ? false : null;
}

/** Only what a request needs: never a password hash or a token, whatever the object carries. */
function serializeUser(user: AuthUser): string {
  const { id, username, email, emailVerified, avatarUrl, createdAt, tokenVersion } = user;
  return JSON.stringify({ id, username, email, emailVerified, avatarUrl, createdAt: createdAt.toISOString(), tokenVersion });
}

/**
 * The users parsed lately, by the exact text Redis holds: the same user is read on every request,
 * and the text changes whenever the user does. Frozen, since every request gets the same object.
 */
const parsed = new Map<string, AuthUser>();
const PARSED_MAX = 10_000;

function parseUser(raw: string | null): AuthUser | null {
  if (!raw) return null;
  const known = parsed.get(raw);
  if (known) return known;
  const user = parseUserText(raw);
  if (user) {
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
    parsed.set(raw, Object.freeze(user));
  }
  return user;
}

/** A value that does not look like one we wrote is a miss, never an error. */
function parseUserText(raw: string | null): AuthUser | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    const createdAt = new Date(value.createdAt as string);
    if (
      typeof value.id !== 'string' ||
      typeof value.username !== 'string' ||
      typeof value.email !== 'string' ||
      typeof value.emailVerified !== 'boolean' ||
      typeof value.avatarUrl !== 'string' ||
      typeof value.tokenVersion !== 'number' ||
      Number.isNaN(createdAt.getTime())
    ) {
      return null;
    }
    return {
      id: value.id,
      username: value.username,
      email: value.email,
      emailVerified: value.emailVerified,
      avatarUrl: value.avatarUrl,
      createdAt,
      tokenVersion: value.tokenVersion,
    };
  } catch {
    return null;
  }
}
