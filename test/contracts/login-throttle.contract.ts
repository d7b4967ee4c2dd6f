import type { ExecutionContext } from 'ava';
import type { LoginThrottle } from '../../src/application/ports/login-throttle.js';
import type { FakeClock } from '../fakes/fakes.js';
import { type ContractSubject, contractTest } from './harness.js';

/** The limits every throttle under test is built with; the tests count against them. */
export const LOGIN_THROTTLE_LIMITS = { max: 3, accountMax: 9, windowSeconds: 60 };

/** A LoginThrottle built with LOGIN_THROTTLE_LIMITS on a fake clock near real time (so Redis' own expiry agrees with it). */
export interface LoginThrottleUnderTest {
  throttle: LoginThrottle;
  clock: FakeClock;
  close(): Promise<void>;
}

/** What every LoginThrottle promises, in memory and on Redis. */
export function loginThrottleContract(subject: ContractSubject<LoginThrottleUnderTest>): void {
  const test = contractTest(subject);
  const it = (title: string, body: (t: ExecutionContext, throttle: LoginThrottle, clock: FakeClock) => Promise<void>) =>
    test(title, (t, made) => body(t, made.throttle, made.clock));

  const A = '192.0.2.1';
  const B = '192.0.2.2';

  it('after the maximum of failures one (account, IP) pair is refused, with the wait until its oldest leaves the window', async (t, throttle, clock) => {
    for (let i = 0; i < 3; i++) {
      t.true((await throttle.begin('ann@example.com', A)).allowed);
      clock.advance(10_000);
    }
    const refused = await throttle.begin('ann@example.com', A);
    t.deepEqual(refused, { allowed: false, retryAfterSeconds: 30 });
    t.true((await throttle.begin('ann@example.com', B)).allowed, 'another IP may still try that account');
    t.true((await throttle.begin('bob@example.com', A)).allowed, 'that IP may still try another account');
  });

  it('past the per-account ceiling (9) an IP that has failed is refused, but an IP that has not failed may always try', async (t, throttle, clock) => {
    // Nine failures spread over nine IPs: each pair is far below its own limit.
    for (let i = 0; i < 9; i++) t.true((await throttle.begin('spread', `198.51.100.${i}`)).allowed);
    clock.advance(5_000);
    const again = await throttle.begin('spread', '198.51.100.0');
    t.deepEqual(again, { allowed: false, retryAfterSeconds: 55 });
    // The owner, from an IP that has not failed: let in, every time.
    for (let i = 0; i < 5; i++) {
      const owner = await throttle.begin('spread', '203.0.113.7');
      if (!owner.allowed) return t.fail('the owner from a clean IP was refused');
      await throttle.succeeded('spread', '203.0.113.7', owner.id);
    }
    // A fresh IP gets one guess; once it failed, it is refused too.
    t.true((await throttle.begin('spread', '198.51.100.200')).allowed);
    t.false((await throttle.begin('spread', '198.51.100.200')).allowed);
    clock.advance(55_000);
    t.true((await throttle.begin('spread', '198.51.100.0')).allowed, 'nothing is refused beyond the window');
  });

  it('a success is not counted and does not wipe the failures before it', async (t, throttle) => {
    const first = await throttle.begin('k', A);
    t.true(first.allowed);
    const good = await throttle.begin('k', A);
    if (!good.allowed) return t.fail();
    await throttle.succeeded('k', A, good.id);
    t.true((await throttle.begin('k', A)).allowed);
    t.true((await throttle.begin('k', A)).allowed);
    t.false((await throttle.begin('k', A)).allowed);
  });

  it('nothing is refused beyond the window', async (t, throttle, clock) => {
    for (let i = 0; i < 3; i++) await throttle.begin('w', A);
    t.false((await throttle.begin('w', A)).allowed);
    clock.advance(59_000);
    t.false((await throttle.begin('w', A)).allowed);
    clock.advance(1_000);
    t.true((await throttle.begin('w', A)).allowed);
  });

  it('concurrent attempts cannot slip past the limit', async (t, throttle) => {
    const attempts = await Promise.all(Array.from({ length: 12 }, () => throttle.begin('race', A)));
    t.is(attempts.filter((a) => a.allowed).length, 3);
  });

  it('a 1 MB account name is counted like any other, under a digest', async (t, throttle) => {
    const huge = 'x'.repeat(1_000_000);
    for (let i = 0; i < 3; i++) t.true((await throttle.begin(huge, A)).allowed);
    t.false((await throttle.begin(huge, A)).allowed);
    t.true((await throttle.begin(`${huge}y`, A)).allowed);
  });
}
