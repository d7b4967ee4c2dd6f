import test from 'ava';
import { ValidationFailed } from '../../src/domain/errors.js';
import { EmailNotVerified, EmailTaken, InvalidCredentials, InvalidRefreshToken, InvalidToken, Unauthenticated } from '../../src/domain/user.errors.js';
import { fakeWorld, PASSWORD, PUBLIC_URL, verifiedUser } from '../fakes/fake-world.js';

test('signup stores the user unverified and puts an email with a link built from the public URL in the outbox', async (t) => {
  const world = fakeWorld();
  const user = await world.useCases.registerUser({ username: ' Ann ', email: 'Ann@Example.com', password: PASSWORD, emailVerified: true });
  t.is(user.username, 'Ann');
  t.false(user.emailVerified);
  const stored = await world.repos.users.findByEmail('ann@example.com');
  t.is(stored?.id, user.id);
  t.not(stored?.passwordHash, PASSWORD);
  const email = world.outbox.last('verify-email');
  t.is(email?.to, 'Ann@Example.com');
  t.true(email && 'link' in email && email.link.startsWith(`${PUBLIC_URL}/account/verify-email?token=`));
});

test('the verification token is stored only as a hash', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  const token = world.outbox.lastToken('verify-email');
  const rows = world.repos.tokens.table.all();
  t.is(rows.length, 1);
  t.false(JSON.stringify(rows).includes(token));
});

test('signup with an email taken in another case fails with EmailTaken and sends nothing more', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  await t.throwsAsync(world.useCases.registerUser({ username: 'Other', email: 'ANN@example.COM', password: PASSWORD }), { instanceOf: EmailTaken });
  t.is(world.outbox.messages().length, 1);
  t.is(world.repos.users.table.all().length, 1);
});

test('signup names every invalid field', async (t) => {
  const world = fakeWorld();
  const error = await t.throwsAsync(world.useCases.registerUser({ username: '', email: 'not-an-email', password: 'short' }), { instanceOf: ValidationFailed });
  t.deepEqual(error?.errors.map((e) => e.field).sort(), ['email', 'password', 'username']);
});

test('passwords are measured in UTF-8 bytes, never truncated, and common ones are refused', async (t) => {
  const world = fakeWorld();
  const register = (password: string, n: number) => world.useCases.registerUser({ username: 'U', email: `u${n}@example.com`, password });
  await t.throwsAsync(register('é'.repeat(37), 1), { instanceOf: ValidationFailed }); // 74 bytes
  await t.notThrowsAsync(register('é'.repeat(36), 2)); // 72 bytes
  await t.throwsAsync(register('Password123', 3), { instanceOf: ValidationFailed });
  await t.throwsAsync(register('abcdefg', 4), { instanceOf: ValidationFailed });
});

test('verifying twice with the same link succeeds both times; an expired link is refused', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  const token = world.outbox.lastToken('verify-email');
  t.true((await world.useCases.verifyEmail(token)).emailVerified);
  t.true((await world.useCases.verifyEmail(token)).emailVerified);

  await world.useCases.registerUser({ username: 'Bob', email: 'bob@example.com', password: PASSWORD });
  const late = world.outbox.lastToken('verify-email');
  world.clock.advance(86_400_000);
  await t.throwsAsync(world.useCases.verifyEmail(late), { instanceOf: InvalidToken });
  t.false((await world.repos.users.findByEmail('bob@example.com'))!.emailVerified);
  await t.throwsAsync(world.useCases.verifyEmail('made-up'), { instanceOf: InvalidToken });
});

test('resend enqueues at most one email per address per minute and nothing for unknown or verified addresses', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  await world.useCases.resendVerification({ email: 'ann@example.com' });
  t.is(world.outbox.messages().length, 1);
  world.clock.advance(60_000);
  await world.useCases.resendVerification({ email: 'ANN@example.com' });
  t.is(world.outbox.messages().length, 2);
  await world.useCases.resendVerification({ email: 'nobody@example.com' });
  await world.useCases.verifyEmail(world.outbox.lastToken('verify-email'));
  world.clock.advance(60_000);
  await world.useCases.resendVerification({ email: 'ann@example.com' });
  t.is(world.outbox.messages().length, 2);
});

test('login refuses unknown emails and wrong passwords alike, and unverified accounts only after the right password', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  await t.throwsAsync(world.useCases.logIn({ email: 'nobody@example.com', password: PASSWORD }), { instanceOf: InvalidCredentials });
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: 'wrong password!' }), { instanceOf: InvalidCredentials });
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }), { instanceOf: EmailNotVerified });
});

test('an access token authenticates its user until the session is logged out', async (t) => {
  const world = fakeWorld();
  const { user, accessToken, refreshToken } = await verifiedUser(world);
  const caller = await world.useCases.authenticate(accessToken);
  t.is(caller.user.id, user.id);
  await world.useCases.logOut({ userId: user.id, sessionId: caller.sessionId }, refreshToken);
  await t.throwsAsync(world.useCases.authenticate(accessToken), { instanceOf: Unauthenticated });
  await t.throwsAsync(world.useCases.refreshSession(refreshToken), { instanceOf: InvalidRefreshToken });
});

test('a refresh token is never accepted as an access token, nor the reverse', async (t) => {
  const world = fakeWorld();
  const { accessToken, refreshToken } = await verifiedUser(world);
  await t.throwsAsync(world.useCases.authenticate(refreshToken), { instanceOf: Unauthenticated });
  await t.throwsAsync(world.useCases.refreshSession(accessToken), { instanceOf: InvalidRefreshToken });
});

test('refresh rotates; replaying a used refresh token revokes the whole session', async (t) => {
  const world = fakeWorld();
  const first = await verifiedUser(world);
  const second = await world.useCases.refreshSession(first.refreshToken);
  t.not(second.refreshToken, first.refreshToken);
  t.truthy(await world.useCases.authenticate(second.accessToken));

  await t.throwsAsync(world.useCases.refreshSession(first.refreshToken), { instanceOf: InvalidRefreshToken });
  await t.throwsAsync(world.useCases.refreshSession(second.refreshToken), { instanceOf: InvalidRefreshToken });
  await t.throwsAsync(world.useCases.authenticate(second.accessToken), { instanceOf: Unauthenticated });
});

test('a password change (token version bump) refuses access tokens issued before it', async (t) => {
  const world = fakeWorld();
  const { user, accessToken } = await verifiedUser(world);
  await world.repos.users.setPassword(user.id, 'hashed:another one');
  await world.cache.evictUser(user.id);
  await t.throwsAsync(world.useCases.authenticate(accessToken), { instanceOf: Unauthenticated });
});
