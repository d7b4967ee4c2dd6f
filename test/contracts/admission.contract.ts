import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import type { Admission } from '../../src/application/ports/admission.js';
import type { UserCache } from '../../src/application/ports/user-cache.js';
import type { AuthUser } from '../../src/domain/user.js';
import type { FakeClock } from '../fakes/fakes.js';
import { type ContractSubject, contractTest } from './harness.js';
import { limit } from './user-rate-limiter.contract.js';

/** An Admission on a fake clock, with the cache it reads (filled as authentication fills it). */
export interface AdmissionUnderTest {
  admission: Admission;
  cache: UserCache;
  clock: FakeClock;
  close(): Promise<void>;
}

function someUser(tokenVersion: number): AuthUser {
  return {
    id: randomUUID(),
    username: 'Zoë',
    email: 'zoe@example.com',
    emailVerified: true,
    avatarUrl: 'https://example.com/a.png',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    tokenVersion,
  };
}

/** A user cached at `tokenVersion` with a live session: what a request after its first has. */
async function cachedCaller(cache: UserCache, tokenVersion = 3) {
  const user = someUser(tokenVersion);
  const sessionId = randomUUID();
  await cache.putUser(user);
  await cache.putSession(sessionId, true);
  return { user, claims: { userId: user.id, sessionId, tokenVersion } };
}

/** What every Admission promises, in memory and on Redis. */
export function admissionContract(subject: ContractSubject<AdmissionUnderTest>): void {
  const test = contractTest(subject);
  const it = (title: string, body: (t: ExecutionContext, s: AdmissionUnderTest) => Promise<void>) => test(title, body);

  it('a request whose user is kept at its token version with a live session is admitted and counted, Remaining going down', async (t, { admission, cache }) => {
    const { user, claims } = await cachedCaller(cache);
    const first = await admission.admit(claims, [limit(5)]);
    t.like(first, { user: { id: user.id, tokenVersion: 3 }, sessionActive: true });
    t.like(first.decisions, [{ name: 'contacts', allowed: true, limit: 5, remaining: 4, retryAfterMs: 0 }]);
    t.like((await admission.admit(claims, [limit(5)])).decisions, [{ remaining: 3 }]);
  });

  it('without limits it answers the user and session and counts nothing', async (t, { admission, cache }) => {
    const { user, claims } = await cachedCaller(cache);
    t.like(await admission.admit(claims, []), { user: { id: user.id }, sessionActive: true, decisions: null });
    t.like((await admission.count(user.id, [limit(5)]))?.[0], { remaining: 4 }, 'the budget is whole');
  });

  it('a token the cache cannot admit spends nothing: an older version, a version the kept one starts with, a revoked or unknown session, an unknown user', async (t, {
    admission,
    cache,
  }) => {
    const { user, claims } = await cachedCaller(cache, 31);
    const revoked = randomUUID();
    await cache.putSession(revoked, false);
    for (const [label, asked] of [
      ['older version', { ...claims, tokenVersion: 30 }],
      ['prefix of the version', { ...claims, tokenVersion: 3 }],
      ['revoked session', { ...claims, sessionId: revoked }],
      ['unknown session', { ...claims, sessionId: randomUUID() }],
      ['unknown user', { ...claims, userId: randomUUID() }],
    ] as const) {
      t.is((await admission.admit(asked, [limit(5)])).decisions, null, label);
    }
    t.false((await admission.admit({ ...claims, sessionId: revoked }, [limit(5)])).sessionActive);
    t.like((await admission.count(user.id, [limit(5)]))?.[0], { allowed: true, remaining: 4 }, 'nothing was spent');
  });

  it('a revocation stops admission at once: an ended session or a moved token version is not counted', async (t, { admission, cache }) => {
    const { user, claims } = await cachedCaller(cache);
    t.not((await admission.admit(claims, [limit(5)])).decisions, null);
    await cache.evictSession(claims.sessionId);
    t.like(await admission.admit(claims, [limit(5)]), { sessionActive: false, decisions: null });

    const other = await cachedCaller(cache);
    await cache.evictUser(other.user.id, 4); // a password reset
    t.like(await admission.admit(other.claims, [limit(5)]), { user: null, decisions: null });
    t.like((await admission.count(user.id, [limit(5)]))?.[0], { remaining: 3 }, 'one admitted request counted before the logout');
  });

  it('limits are taken in order and the first refusal stops the count: a refused request spends nothing from later limits', async (t, { admission, cache }) => {
    const { user, claims } = await cachedCaller(cache);
    const limits = [limit(1, 60, 'contacts'), limit(10, 60, 'contact-create')];
    t.like((await admission.admit(claims, limits)).decisions, [
      { name: 'contacts', allowed: true, remaining: 0 },
      { name: 'contact-create', allowed: true, remaining: 9 },
    ]);
    const refused = (await admission.admit(claims, limits)).decisions;
    t.is(refused?.length, 1);
    t.like(refused?.[0], { name: 'contacts', allowed: false, remaining: 0, retryAfterMs: 60_000 });
    t.like((await admission.count(user.id, [limit(10, 60, 'contact-create')]))?.[0], { remaining: 8 }, 'the refused request spent nothing');
  });

  it('admit and count spend one budget per user and limit, refilled with time', async (t, { admission, cache, clock }) => {
    const { user, claims } = await cachedCaller(cache);
    t.like((await admission.count(user.id, [limit(2, 10)]))?.[0], { allowed: true, remaining: 1 });
    t.like((await admission.admit(claims, [limit(2, 10)])).decisions?.[0], { allowed: true, remaining: 0 });
    t.like((await admission.admit(claims, [limit(2, 10)])).decisions?.[0], { allowed: false, retryAfterMs: 5_000 });
    clock.advance(5_000);
    t.like((await admission.admit(claims, [limit(2, 10)])).decisions?.[0], { allowed: true, remaining: 0 });
    const stranger = await cachedCaller(cache);
    t.like((await admission.admit(stranger.claims, [limit(2, 10)])).decisions?.[0], { allowed: true, remaining: 1 }, 'another user has a budget of their own');
  });
}
