import test from 'ava';
import { ValidationFailed } from '../../src/domain/errors.js';
import { EmailTaken, InvalidCredentials, InvalidRefreshToken, InvalidToken, Unauthenticated } from '../../src/domain/user.errors.js';
import { toAuthUser } from '../../src/domain/user.js';
import { fakeWorld, PASSWORD, PUBLIC_URL, RESET_TTL_S, verifiedUser } from '../fakes/fake-world.js';

const NEW_PASSWORD = 'a brand new passphrase';

async function requestedReset(email = 'ann@example.com') {
  const world = fakeWorld();
  const account = await verifiedUser(world, email);
  await world.useCases.requestPasswordReset({ email });
  return { world, account, token: world.outbox.lastToken('password-reset', email) };
}

test('a reset request emails a link built from the public URL, stores only its hash, and changes nothing on the account', async (t) => {
  const world = fakeWorld();
  const { user, accessToken } = await verifiedUser(world);
  const before = await world.repos.users.findById(user.id);
  await world.useCases.requestPasswordReset({ email: 'ANN@example.com' });

  const email = world.outbox.last('password-reset');
  t.is(email?.to, 'ann@example.com');
  t.true(email && 'link' in email && email.link.startsWith(`${PUBLIC_URL}/account/reset-password?token=`));
  const token = world.outbox.lastToken('password-reset');
  t.true(Buffer.from(token, 'base64url').length >= 16);
  const rows = world.repos.tokens.table.all().filter((r) => r.purpose === 'reset-password');
  t.is(rows.length, 1);
  t.is(rows[0]!.userId, user.id);
  t.false(JSON.stringify(world.repos.tokens.table.all()).includes(token));
  t.deepEqual(await world.repos.users.findById(user.id), before);
  t.truthy(await world.useCases.authenticate(accessToken));
});

test('a reset request for an unknown email answers the same, sends nothing and stores nothing', async (t) => {
  const world = fakeWorld();
  await verifiedUser(world);
  const sent = world.outbox.all().length;
  const tokens = world.repos.tokens.table.all().length;
  t.is(await world.useCases.requestPasswordReset({ email: 'nobody@example.com' }), undefined);
  t.is(world.outbox.all().length, sent);
  t.is(world.repos.tokens.table.all().length, tokens);
});

test('a reset request with a malformed email fails with ValidationFailed naming the field', async (t) => {
  const world = fakeWorld();
  const error = await t.throwsAsync(world.useCases.requestPasswordReset({ email: 'not an email' }), { instanceOf: ValidationFailed });
  t.deepEqual(
    error?.errors.map((e) => e.field),
    ['email'],
  );
  await t.throwsAsync(world.useCases.requestPasswordReset({}), { instanceOf: ValidationFailed });
});

test('at most one reset email per address per minute; the next minute sends another', async (t) => {
  const { world } = await requestedReset();
  const resets = () => world.outbox.all().filter((e) => e.kind === 'password-reset').length;
  world.clock.advance(59_999);
  await world.useCases.requestPasswordReset({ email: 'Ann@Example.com' });
  t.is(resets(), 1);
  world.clock.advance(1);
  await world.useCases.requestPasswordReset({ email: 'ann@example.com' });
  t.is(resets(), 2);
});

test('the reset limit is per address: another account still gets its email', async (t) => {
  const { world } = await requestedReset();
  await verifiedUser(world, 'bob@example.com');
  await world.useCases.requestPasswordReset({ email: 'bob@example.com' });
  t.is(world.outbox.to('bob@example.com').filter((e) => e.kind === 'password-reset').length, 1);
});

test('a reset link still works one millisecond before it expires', async (t) => {
  const { world, token } = await requestedReset();
  world.clock.advance(RESET_TTL_S * 1000 - 1);
  await t.notThrowsAsync(world.useCases.checkResetToken(token));
  await t.notThrowsAsync(world.useCases.resetPassword({ token, password: NEW_PASSWORD }));
  await t.truthy(await world.useCases.logIn({ email: 'ann@example.com', password: NEW_PASSWORD }));
});

test('a reset link is refused at the instant it expires, and the password stays', async (t) => {
  const { world, token } = await requestedReset();
  world.clock.advance(RESET_TTL_S * 1000);
  await t.throwsAsync(world.useCases.checkResetToken(token), { instanceOf: InvalidToken });
  await t.throwsAsync(world.useCases.resetPassword({ token, password: NEW_PASSWORD }), { instanceOf: InvalidToken });
  t.truthy(await world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }));
});

test('a reset link works once', async (t) => {
  const { world, token } = await requestedReset();
  await world.useCases.resetPassword({ token, password: NEW_PASSWORD });
  await t.throwsAsync(world.useCases.resetPassword({ token, password: 'yet another passphrase' }), { instanceOf: InvalidToken });
  await t.throwsAsync(world.useCases.checkResetToken(token), { instanceOf: InvalidToken });
  t.truthy(await world.useCases.logIn({ email: 'ann@example.com', password: NEW_PASSWORD }));
});

test('two resets racing with the same link: exactly one wins', async (t) => {
  const { world, token } = await requestedReset();
  const results = await Promise.allSettled([
    world.useCases.resetPassword({ token, password: NEW_PASSWORD }),
    world.useCases.resetPassword({ token, password: 'the other passphrase' }),
  ]);
  t.is(results.filter((r) => r.status === 'fulfilled').length, 1);
  const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  t.true(rejected.reason instanceof InvalidToken);
  t.is(world.outbox.all().filter((e) => e.kind === 'password-changed').length, 1);
});

test('a reset revokes every session: refresh tokens and already-cached access tokens fail at once', async (t) => {
  const { world, account, token } = await requestedReset();
  const other = await world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD });
  // Warm the cache, as a busy client would have.
  await world.useCases.authenticate(account.accessToken);
  await world.useCases.authenticate(other.accessToken);

  await world.useCases.resetPassword({ token, password: NEW_PASSWORD });

  for (const session of [account, other]) {
    await t.throwsAsync(world.useCases.authenticate(session.accessToken), { instanceOf: Unauthenticated });
    await t.throwsAsync(world.useCases.refreshSession(session.refreshToken), { instanceOf: InvalidRefreshToken });
  }
  t.true(world.repos.sessions.table.all().every((s) => s.revokedAt !== null));
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }), { instanceOf: InvalidCredentials });
  const fresh = await world.useCases.logIn({ email: 'ann@example.com', password: NEW_PASSWORD });
  t.truthy(await world.useCases.authenticate(fresh.accessToken));
});

test('a request that read the user and its session before a reset cannot write them back into the cache', async (t) => {
  const { world, account, token } = await requestedReset();
  const before = toAuthUser((await world.repos.users.findByEmail('ann@example.com'))!);
  const sessionIds = world.repos.sessions.table.all().map((s) => s.id);

  await world.useCases.resetPassword({ token, password: NEW_PASSWORD });
  t.deepEqual(
    await Promise.all(sessionIds.map(async (id) => (await world.cache.get(before.id, id)).sessionActive)),
    sessionIds.map(() => false),
    'every revoked session has a tombstone, as after a logout',
  );
  // What the racing request writes once the reset is done: what it read before.
  await world.cache.putUser(before);
  for (const id of sessionIds) await world.cache.putSession(id, true);
  t.deepEqual(await world.cache.get(before.id, sessionIds[0]!), { user: null, sessionActive: false });
  await t.throwsAsync(world.useCases.authenticate(account.accessToken), { instanceOf: Unauthenticated });
});

test('a reset does not log anyone in and stores the new password only as a hash', async (t) => {
  const { world, account, token } = await requestedReset();
  const sessions = world.repos.sessions.table.all().length;
  t.is(await world.useCases.resetPassword({ token, password: NEW_PASSWORD }), undefined);
  t.is(world.repos.sessions.table.all().length, sessions);
  const stored = await world.repos.users.findById(account.user.id);
  t.not(stored!.passwordHash, NEW_PASSWORD);
  t.true(await world.hasher.verify(NEW_PASSWORD, stored!.passwordHash));
});

test('a refused password (same policy as signup) leaves the link usable and the account unchanged', async (t) => {
  const { world, account, token } = await requestedReset();
  const before = await world.repos.users.findById(account.user.id);
  for (const password of ['short', 'Password123', 'é'.repeat(37), 42, undefined]) {
    const error = await t.throwsAsync(world.useCases.resetPassword({ token, password }), { instanceOf: ValidationFailed });
    t.deepEqual(
      error?.errors.map((e) => e.field),
      ['password'],
    );
  }
  t.deepEqual(await world.repos.users.findById(account.user.id), before);
  t.truthy(await world.useCases.authenticate(account.accessToken));
  t.false(world.outbox.all().some((e) => e.kind === 'password-changed'));
  await t.notThrowsAsync(world.useCases.resetPassword({ token, password: 'é'.repeat(36) }));
});

test('a dead link is refused before the password is judged', async (t) => {
  const world = fakeWorld();
  await t.throwsAsync(world.useCases.resetPassword({ token: 'made-up', password: 'short' }), { instanceOf: InvalidToken });
  for (const token of [undefined, '', 42, 'x'.repeat(201), ['a']]) {
    await t.throwsAsync(world.useCases.resetPassword({ token, password: NEW_PASSWORD }), { instanceOf: InvalidToken });
    await t.throwsAsync(world.useCases.checkResetToken(token), { instanceOf: InvalidToken });
  }
});

test('a reset spends every other outstanding reset link of the user', async (t) => {
  const { world, token: first } = await requestedReset();
  world.clock.advance(60_000);
  await world.useCases.requestPasswordReset({ email: 'ann@example.com' });
  const second = world.outbox.lastToken('password-reset');
  t.not(first, second);
  await world.useCases.resetPassword({ token: second, password: NEW_PASSWORD });
  await t.throwsAsync(world.useCases.resetPassword({ token: first, password: 'yet another passphrase' }), { instanceOf: InvalidToken });
  t.true(
    world.repos.tokens.table
      .all()
      .filter((r) => r.purpose === 'reset-password')
      .every((r) => r.consumedAt !== null),
  );
});

test('a reset link is bound to its user: it changes that account and no other', async (t) => {
  const { world, token } = await requestedReset('ann@example.com');
  const bob = await verifiedUser(world, 'bob@example.com');
  await world.useCases.resetPassword({ token, password: NEW_PASSWORD });
  t.truthy(await world.useCases.logIn({ email: 'bob@example.com', password: PASSWORD }));
  t.truthy(await world.useCases.authenticate(bob.accessToken));
});

test('a verification link is not a reset link', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  const verify = world.outbox.lastToken('verify-email');
  await t.throwsAsync(world.useCases.resetPassword({ token: verify, password: NEW_PASSWORD }), { instanceOf: InvalidToken });
});

test('checking a link does not spend it', async (t) => {
  const { world, token } = await requestedReset();
  await world.useCases.checkResetToken(token);
  await world.useCases.checkResetToken(token);
  t.true(world.repos.tokens.table.all().every((r) => r.purpose !== 'reset-password' || r.consumedAt === null));
  await t.notThrowsAsync(world.useCases.resetPassword({ token, password: NEW_PASSWORD }));
});

test('after a reset, a "password changed" email is sent, with no password and no link in it', async (t) => {
  const { world, token, account } = await requestedReset();
  await world.useCases.resetPassword({ token, password: NEW_PASSWORD });
  const email = world.outbox.last('password-changed');
  t.deepEqual(email, { userId: account.user.id, kind: 'password-changed', to: 'ann@example.com', username: 'Ann' });
});

test('a reset confirms an unverified email, since the link proved the mailbox', async (t) => {
  const world = fakeWorld();
  await world.useCases.registerUser({ username: 'Ann', email: 'ann@example.com', password: PASSWORD });
  await world.useCases.requestPasswordReset({ email: 'ann@example.com' });
  await world.useCases.resetPassword({ token: world.outbox.lastToken('password-reset'), password: NEW_PASSWORD });
  t.truthy(await world.useCases.logIn({ email: 'ann@example.com', password: NEW_PASSWORD }));
});

test('emails go through the outbox: a mail server that is down never reaches the request or the reset', async (t) => {
  const world = fakeWorld();
  await verifiedUser(world);
  world.mailer.failing = true;
  await t.notThrowsAsync(world.useCases.requestPasswordReset({ email: 'ann@example.com' }));
  const token = world.outbox.lastToken('password-reset', 'ann@example.com');
  await t.notThrowsAsync(world.useCases.resetPassword({ token, password: NEW_PASSWORD }));
  t.truthy(world.outbox.last('password-changed', 'ann@example.com'));
  t.false(world.mailer.all().some((e) => e.kind === 'password-reset' || e.kind === 'password-changed'));
});

test('confirming an email change kills every reset link issued before it (they went to the old address); one asked for afterwards works', async (t) => {
  const { world, token: old, account } = await requestedReset('ann@example.com');
  await world.useCases.checkResetToken(old);
  await world.useCases.requestEmailChange(account.user.id, { newEmail: 'ann@new.example.org', currentPassword: PASSWORD });
  await t.notThrowsAsync(world.useCases.checkResetToken(old), 'only asking for the change leaves the link alive');
  await world.useCases.confirmEmailChange(world.outbox.lastToken('email-change-confirm', 'ann@new.example.org'));

  await t.throwsAsync(world.useCases.checkResetToken(old), { instanceOf: InvalidToken });
  await t.throwsAsync(world.useCases.resetPassword({ token: old, password: NEW_PASSWORD }), { instanceOf: InvalidToken });
  t.truthy(await world.useCases.logIn({ email: 'ann@new.example.org', password: PASSWORD }), 'the password is unchanged');
  t.is(world.outbox.last('password-changed'), undefined);

  world.clock.advance(60_000);
  await world.useCases.requestPasswordReset({ email: 'ann@new.example.org' });
  const fresh = world.outbox.lastToken('password-reset', 'ann@new.example.org');
  await world.useCases.resetPassword({ token: fresh, password: NEW_PASSWORD });
  t.truthy(await world.useCases.logIn({ email: 'ann@new.example.org', password: NEW_PASSWORD }));
});

test('an email change that fails at confirmation (address taken meanwhile) leaves the reset links alive', async (t) => {
  const { world, token, account } = await requestedReset('ann@example.com');
  await world.useCases.requestEmailChange(account.user.id, { newEmail: 'carol@example.com', currentPassword: PASSWORD });
  const confirm = world.outbox.lastToken('email-change-confirm', 'carol@example.com');
  await world.useCases.registerUser({ username: 'Carol', email: 'carol@example.com', password: PASSWORD });
  await t.throwsAsync(world.useCases.confirmEmailChange(confirm), { instanceOf: EmailTaken });
  await world.useCases.resetPassword({ token, password: NEW_PASSWORD });
  t.truthy(await world.useCases.logIn({ email: 'ann@example.com', password: NEW_PASSWORD }));
});
