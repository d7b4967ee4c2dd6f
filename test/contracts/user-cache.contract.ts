import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UserCache } from '../../src/application/ports/user-cache.js';
import type { AuthUser } from '../../src/domain/user.js';
import { type ContractSubject, contractTest } from './harness.js';

/** Makes fresh, empty caches of one kind with the TTL asked for; `close` releases all of them. */
export interface UserCachesUnderTest {
  open(ttlSeconds: number): Promise<UserCache>;
  /** Two instances of the app's cache on one store (an in-process cache has no other: the same one twice). */
  openPair(ttlSeconds: number): Promise<[UserCache, UserCache]>;
  /** What a cache does when its store answers again after an outage (an in-process cache: nothing). */
  reconnect(cache: UserCache): Promise<void>;
  close(): Promise<void>;
}

type Open = (ttlSeconds?: number) => Promise<UserCache>;

function someUser(overrides: Partial<AuthUser> = {}): AuthUser {
  return {
    id: randomUUID(),
    username: 'Zoë 😀',
    email: 'zoe@example.com',
    emailVerified: true,
    avatarUrl: 'https://example.com/a.png',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    tokenVersion: 3,
    ...overrides,
  };
}

/** What every UserCache promises, in memory and on Redis. */
export function userCacheContract(subject: ContractSubject<UserCachesUnderTest>): void {
  const test = contractTest(subject);
  const it = (title: string, body: (t: ExecutionContext, open: Open) => Promise<void>) =>
    test(title, (t, caches) => body(t, (ttlSeconds = 300) => caches.open(ttlSeconds)));

  test('a revocation through one instance holds at once on another that reconnected since the first last read', async (t, caches) => {
    const [a, b] = await caches.openPair(300);
    const user = someUser({ tokenVersion: 0 });
    const session = randomUUID();
    await a.get(user.id, session);
    await caches.reconnect(b);
    await b.putUser(user);
    await b.putSession(session, true);
    t.deepEqual(await b.get(user.id, session), { user, sessionActive: true });

    await a.evictUser(user.id, 1); // a password reset on the quiet instance
    await a.evictSession(session);
    for (const cache of [b, a]) {
      const { user: cached, sessionActive } = await cache.get(user.id, session);
      t.is(cached, null);
      t.not(sessionActive, true);
    }
  });

  test('a fill that read before a revocation cannot bring it back, even when an instance reconnected in between', async (t, caches) => {
    const [a, b] = await caches.openPair(300);
    const user = someUser({ tokenVersion: 0 });
    const session = randomUUID();
    await b.get(user.id, session); // a miss: B reads version 0 and a live session from the database
    await a.evictUser(user.id, 1);
    await a.evictSession(session);
    await caches.reconnect(a);
    await b.get(randomUUID(), randomUUID()); // another request on B
    await b.putUser(user);
    await b.putSession(session, true);
    for (const cache of [b, a]) {
      const { user: cached, sessionActive } = await cache.get(user.id, session);
      t.is(cached, null);
      t.not(sessionActive, true);
    }
  });

  it('an empty cache misses both the user and the session', async (t, open) => {
    const cache = await open();
    t.deepEqual(await cache.get(randomUUID(), randomUUID()), { user: null, sessionActive: null });
  });

  it('a stored user comes back field for field, dates as dates, and nothing beyond what authentication needs', async (t, open) => {
    const cache = await open();
    const user = someUser();
    await cache.putUser({ ...user, passwordHash: 'secret hash', refreshToken: 'secret token' } as AuthUser);
    const { user: cached, sessionActive } = await cache.get(user.id, randomUUID());
    t.deepEqual(cached, user);
    t.true(cached!.createdAt instanceof Date);
    t.is(sessionActive, null);
  });

  it('a session comes back live or ended as stored, independently of the user', async (t, open) => {
    const cache = await open();
    const live = randomUUID();
    const ended = randomUUID();
    await cache.putSession(live, true);
    await cache.putSession(ended, false);
    t.deepEqual(await cache.get(randomUUID(), live), { user: null, sessionActive: true });
    t.deepEqual(await cache.get(randomUUID(), ended), { user: null, sessionActive: false });
  });

  it('a changed user replaces the entry; one user never answers for another', async (t, open) => {
    const cache = await open();
    const ann = someUser({ username: 'Ann' });
    const bob = someUser({ username: 'Bob' });
    await cache.putUser(ann);
    await cache.putUser(bob);
    await cache.putUser({ ...ann, avatarUrl: 'https://example.com/new.png', tokenVersion: 4 });
    const session = randomUUID();
    t.like((await cache.get(ann.id, session)).user, { username: 'Ann', avatarUrl: 'https://example.com/new.png', tokenVersion: 4 });
    t.like((await cache.get(bob.id, session)).user, { username: 'Bob', tokenVersion: 3 });
  });

  it('evicting a user forgets that user only', async (t, open) => {
    const cache = await open();
    const ann = someUser();
    const bob = someUser();
    await cache.putUser(ann);
    await cache.putUser(bob);
    await cache.evictUser(ann.id);
    t.is((await cache.get(ann.id, randomUUID())).user, null);
    t.is((await cache.get(bob.id, randomUUID())).user?.id, bob.id);
  });

  it('an evicted session is never reported live again, even by a fill that read it before', async (t, open) => {
    const cache = await open();
    const session = randomUUID();
    await cache.putSession(session, true);
    await cache.evictSession(session);
    t.not((await cache.get(randomUUID(), session)).sessionActive, true);
    await cache.putSession(session, true); // a request that loaded the session before the logout
    t.not((await cache.get(randomUUID(), session)).sessionActive, true);
  });

  it('entries expire after the TTL', async (t, open) => {
    const cache = await open(1);
    const user = someUser();
    const session = randomUUID();
    await cache.putUser(user);
    await cache.putSession(session, true);
    t.is((await cache.get(user.id, session)).sessionActive, true);
    await sleep(1300);
    t.deepEqual(await cache.get(user.id, session), { user: null, sessionActive: null });
  });

  it('a fill that read the user before a password change cannot lower its token version', async (t, open) => {
    const cache = await open();
    const user = someUser({ tokenVersion: 3 });
    await cache.putUser(user);
    await cache.putUser({ ...user, tokenVersion: 2, username: 'stale' });
    t.like((await cache.get(user.id, randomUUID())).user, { tokenVersion: 3, username: user.username });

    await cache.evictUser(user.id, 4); // the password changed: version 4 from now on
    t.is((await cache.get(user.id, randomUUID())).user, null);
    await cache.putUser(user); // a request that read version 3 before the change
    t.is((await cache.get(user.id, randomUUID())).user, null);
    await cache.putUser({ ...user, tokenVersion: 4 });
    t.like((await cache.get(user.id, randomUUID())).user, { tokenVersion: 4 });
  });

  it("an eviction without a version keeps the evicted entry's version as the floor", async (t, open) => {
    const cache = await open();
    const user = someUser({ tokenVersion: 3 });
    await cache.putUser(user);
    await cache.evictUser(user.id); // e.g. a new avatar
    await cache.putUser({ ...user, tokenVersion: 2 });
    t.is((await cache.get(user.id, randomUUID())).user, null);
    await cache.evictUser(user.id); // evicting a floor keeps it
    await cache.putUser({ ...user, tokenVersion: 2 });
    t.is((await cache.get(user.id, randomUUID())).user, null);
    await cache.putUser({ ...user, avatarUrl: 'https://example.com/new.png' });
    t.like((await cache.get(user.id, randomUUID())).user, { tokenVersion: 3, avatarUrl: 'https://example.com/new.png' });
  });

  it('a version given to evictUser is the floor even when nothing was cached; evicting the unknown leaves nothing', async (t, open) => {
    const cache = await open();
    const user = someUser({ tokenVersion: 1 });
    await cache.evictUser(randomUUID());
    await cache.evictUser(user.id, 2);
    await cache.putUser(user);
    t.is((await cache.get(user.id, randomUUID())).user, null);
    await cache.evictUser(user.id, 1); // a lower floor never lowers the one held
    await cache.putUser(user);
    t.is((await cache.get(user.id, randomUUID())).user, null);
    await cache.putUser({ ...user, tokenVersion: 2 });
    t.like((await cache.get(user.id, randomUUID())).user, { tokenVersion: 2 });
  });

  it('parallel fills of several token versions leave the highest, whatever order they land in', async (t, open) => {
    const cache = await open();
    const user = someUser();
    for (let round = 0; round < 5; round++) {
      const versions = Array.from({ length: 12 }, (_, i) => i + round * 12).sort(() => Math.random() - 0.5);
      await Promise.all(versions.map((tokenVersion) => cache.putUser({ ...user, tokenVersion })));
      t.is((await cache.get(user.id, randomUUID())).user?.tokenVersion, round * 12 + 11);
    }
  });

  it('the floor lasts as long as an entry would, then the user can be cached at any version', async (t, open) => {
    const cache = await open(1);
    const user = someUser({ tokenVersion: 1 });
    await cache.evictUser(user.id, 5);
    await sleep(1300);
    await cache.putUser(user);
    t.like((await cache.get(user.id, randomUUID())).user, { tokenVersion: 1 });
  });
}
