import test from 'ava';
import { RateLimited } from '../../src/domain/errors.js';
import { InvalidCredentials } from '../../src/domain/user.errors.js';
import { fakeWorld, LOGIN_FAILURES, PASSWORD, verifiedUser } from '../fakes/fake-world.js';

const fail = (world: ReturnType<typeof fakeWorld>, email: string) => world.useCases.logIn({ email, password: 'not the password at all' });

test('after the maximum of failed logins from one IP the email is refused there, even with the right password; another IP is not', async (t) => {
  const world = fakeWorld();
  await verifiedUser(world, 'ann@example.com');
  for (let i = 0; i < LOGIN_FAILURES.max; i++) await t.throwsAsync(fail(world, 'ann@example.com'), { instanceOf: InvalidCredentials });
  const error = await t.throwsAsync(world.useCases.logIn({ email: 'ANN@example.com ', password: PASSWORD }), { instanceOf: RateLimited });
  t.is(error?.code, 'RATE_LIMITED');
  t.true(error!.retryAfterSeconds >= 1 && error!.retryAfterSeconds <= LOGIN_FAILURES.windowSeconds);
  await t.notThrowsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD, clientIp: '203.0.113.9' }));
  await t.notThrowsAsync(verifiedUser(world, 'bob@example.com'));
});

test('wrong passwords from many IPs never lock the owner out of a clean IP; past the ceiling the IPs that failed are refused', async (t) => {
  const world = fakeWorld();
  await verifiedUser(world, 'ann@example.com');
  for (let i = 0; i < 4 * LOGIN_FAILURES.max; i++) {
    await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: 'wrong', clientIp: `198.51.100.${i}` }));
  }
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD, clientIp: '198.51.100.0' }), { instanceOf: RateLimited });
  await t.notThrowsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD, clientIp: '203.0.113.9' }));
});

test('unknown emails are counted too, so a refusal says nothing about whether an account exists', async (t) => {
  const world = fakeWorld();
  for (let i = 0; i < LOGIN_FAILURES.max; i++) await t.throwsAsync(fail(world, 'nobody@example.com'), { instanceOf: InvalidCredentials });
  await t.throwsAsync(fail(world, 'nobody@example.com'), { instanceOf: RateLimited });
});

test('a successful login does not reset the failures counted against the email', async (t) => {
  const world = fakeWorld();
  await verifiedUser(world, 'ann@example.com');
  for (let i = 0; i < LOGIN_FAILURES.max - 1; i++) await t.throwsAsync(fail(world, 'ann@example.com'));
  await t.notThrowsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }));
  await t.throwsAsync(fail(world, 'ann@example.com'), { instanceOf: InvalidCredentials });
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }), { instanceOf: RateLimited });
});

test('the email is never refused beyond the window', async (t) => {
  const world = fakeWorld();
  await verifiedUser(world, 'ann@example.com');
  for (let i = 0; i < LOGIN_FAILURES.max; i++) await t.throwsAsync(fail(world, 'ann@example.com'));
  world.clock.advance(LOGIN_FAILURES.windowSeconds * 1000 - 1000);
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }), { instanceOf: RateLimited });
  world.clock.advance(1000);
  await t.notThrowsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }));
});
