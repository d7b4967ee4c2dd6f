import type { ExecutionContext } from 'ava';
import type { UserLimit, UserRateLimiter } from '../../src/application/ports/user-rate-limiter.js';
import type { FakeClock } from '../fakes/fakes.js';
import { type ContractSubject, contractTest } from './harness.js';

/** A UserRateLimiter on a fake clock, and what it keeps. */
export interface UserRateLimiterUnderTest {
  limiter: UserRateLimiter;
  clock: FakeClock;
  /** The keys (or entries) holding budgets, and the largest one's size in bytes (Redis only). */
  footprint(): Promise<{ keys: number; largestBytes: number | null }>;
  close(): Promise<void>;
}

export const limit = (max: number, windowSeconds = 60, name = 'contacts'): UserLimit => ({ name, max, windowSeconds });

/** What every UserRateLimiter promises: in memory, on Redis, and counted by the Redis admission's script. */
export function userRateLimiterContract(subject: ContractSubject<UserRateLimiterUnderTest>): void {
  const test = contractTest(subject);
  const it = (title: string, body: (t: ExecutionContext, s: UserRateLimiterUnderTest, clock: FakeClock) => Promise<void>) =>
    test(title, (t, s) => body(t, s, s.clock));

  it('a burst of max is allowed, counting Remaining down; the next is refused with the wait for one more', async (t, { limiter }, clock) => {
    const start = clock.now().getTime();
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const [d] = (await limiter.take('ann', [limit(3)]))!;
      t.true(d!.allowed);
      t.is(d!.limit, 3);
      remaining.push(d!.remaining);
      t.is(d!.resetAtMs, start + (i + 1) * 20_000, 'the whole budget is back one interval per request later');
    }
    t.deepEqual(remaining, [2, 1, 0]);
    const [refused] = (await limiter.take('ann', [limit(3)]))!;
    t.like(refused, { allowed: false, remaining: 0, limit: 3, retryAfterMs: 20_000, resetAtMs: start + 60_000 });
  });

  it('the budget refills one request per window/max; after a whole window it is whole again', async (t, { limiter }, clock) => {
    for (let i = 0; i < 2; i++) t.true((await limiter.take('bob', [limit(2, 10)]))![0]!.allowed);
    t.false((await limiter.take('bob', [limit(2, 10)]))![0]!.allowed);
    clock.advance(4_999);
    t.like((await limiter.take('bob', [limit(2, 10)]))![0], { allowed: false, retryAfterMs: 1 });
    clock.advance(1);
    t.like((await limiter.take('bob', [limit(2, 10)]))![0], { allowed: true, remaining: 0 });
    clock.advance(10_000);
    t.like((await limiter.take('bob', [limit(2, 10)]))![0], { allowed: true, remaining: 1 });
  });

  it('a refused request spends nothing: waiting out the announced delay is enough', async (t, { limiter }, clock) => {
    t.true((await limiter.take('cy', [limit(1, 1)]))![0]!.allowed);
    for (let i = 0; i < 5; i++) t.false((await limiter.take('cy', [limit(1, 1)]))![0]!.allowed);
    const [refused] = (await limiter.take('cy', [limit(1, 1)]))!;
    clock.advance(refused!.retryAfterMs);
    t.true((await limiter.take('cy', [limit(1, 1)]))![0]!.allowed);
  });

  it('16 concurrent requests against a limit of 8 admit exactly 8', async (t, { limiter }) => {
    const decisions = await Promise.all(Array.from({ length: 16 }, () => limiter.take('dee', [limit(8)])));
    t.is(decisions.filter((d) => d![0]!.allowed).length, 8);
  });

  it('one user at the limit never limits another, nor another limit of the same user', async (t, { limiter }) => {
    await limiter.take('eve', [limit(1)]);
    t.false((await limiter.take('eve', [limit(1)]))![0]!.allowed);
    t.like((await limiter.take('fay', [limit(1)]))![0], { allowed: true, remaining: 0 });
    t.true((await limiter.take('eve', [limit(1, 60, 'other')]))![0]!.allowed);
  });

  it('limits are taken in order and the first refusal stops the count', async (t, { limiter }) => {
    const both = [limit(5, 60, 'all'), limit(2, 60, 'create')];
    t.deepEqual(
      (await limiter.take('gus', both))!.map((d) => [d.name, d.allowed, d.remaining]),
      [
        ['all', true, 4],
        ['create', true, 1],
      ],
    );
    await limiter.take('gus', both);
    t.deepEqual(
      (await limiter.take('gus', both))!.map((d) => [d.name, d.allowed]),
      [
        ['all', true],
        ['create', false],
      ],
    );
    // The general budget was spent by the refused creation (3 of 5); reads go on within it.
    t.like((await limiter.take('gus', [limit(5, 60, 'all')]))![0], { allowed: true, remaining: 1 });
  });

  it('one key per user per limit, of constant size, however many requests and however large the limit', async (t, s) => {
    const big = [limit(10_000, 36_000, 'all'), limit(5_000, 36_000, 'create')];
    for (let i = 0; i < 300; i++) await s.limiter.take('hal', big);
    await s.limiter.take('ivy', big);
    const { keys, largestBytes } = await s.footprint();
    t.is(keys, 4, 'two users × two limits');
    // MEMORY USAGE counts the key's name, its value and the allocator's rounding: 120–136 bytes on
    // Redis 7.0, depending on which of the buffers Redis reuses for a script's commands the SET got.
    // A sliding log of the 300 requests would hold over 10 KB.
    if (largestBytes !== null) t.true(largestBytes <= 160, `${largestBytes} bytes`);
  });
}
