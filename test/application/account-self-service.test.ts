import test from 'ava';
import { maskEmail, cleanUserAgent } from '../../src/domain/account.js';
import { NotFound, RateLimited, ValidationFailed } from '../../src/domain/errors.js';
import { EmailTaken, InvalidCredentials, InvalidRefreshToken, InvalidToken, Unauthenticated, WrongPassword } from '../../src/domain/user.errors.js';
import { fakeWorld, LOGIN_FAILURES, PASSWORD, PUBLIC_URL, verifiedUser } from '../fakes/fake-world.js';
import { png } from '../helpers/images.js';
import { collected } from '../helpers/account-export.js';

const NEW_PASSWORD = 'a brand new passphrase';
type World = ReturnType<typeof fakeWorld>;

function callerOf(world: World, accessToken: string) {
  const claims = world.tokens.verifyAccess(accessToken)!;
  return { userId: claims.userId, sessionId: claims.sessionId };
}

async function secondLogin(world: World, email = 'ann@example.com', userAgent = 'Phone/1.0') {
  return world.useCases.logIn({ email, password: PASSWORD }, { userAgent });
}

test('username: a valid one is trimmed, stored and shown at once; an invalid one is a ValidationFailed naming the field', async (t) => {
  const world = fakeWorld();
  const { accessToken, userId } = await verifiedUser(world);
  await world.useCases.authenticate(accessToken); // fills the cache
  const user = await world.useCases.updateUsername(userId, { username: '  Annie  ' });
  t.is(user.username, 'Annie');
  t.is((await world.useCases.authenticate(accessToken)).user.username, 'Annie');
  for (const username of ['', '   ', 'x'.repeat(51), 'a\u0000b', 42, undefined]) {
    const error = await t.throwsAsync(world.useCases.updateUsername(userId, { username }), { instanceOf: ValidationFailed });
    t.deepEqual(
      error!.errors.map((e) => e.field),
      ['username'],
    );
  }
  t.is((await world.repos.users.findById(userId))!.username, 'Annie');
});

test('change password: new pair for the calling session, every other session and the old access token refused, a notice queued', async (t) => {
  const world = fakeWorld();
  const first = await verifiedUser(world);
  const other = await secondLogin(world);
  const caller = callerOf(world, first.accessToken);
  await world.useCases.authenticate(other.accessToken); // cached as live

  const pair = await world.useCases.changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  t.is(pair.tokenType, 'Bearer');
  t.is((await world.useCases.authenticate(pair.accessToken)).sessionId, caller.sessionId);
  await t.throwsAsync(world.useCases.authenticate(first.accessToken), { instanceOf: Unauthenticated });
  await t.throwsAsync(world.useCases.authenticate(other.accessToken), { instanceOf: Unauthenticated });
  await t.throwsAsync(world.useCases.refreshSession(other.refreshToken), { instanceOf: InvalidRefreshToken });
  t.truthy(await world.useCases.refreshSession(pair.refreshToken));
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }), { instanceOf: InvalidCredentials });
  t.truthy(await world.useCases.logIn({ email: 'ann@example.com', password: NEW_PASSWORD }));
  const notice = world.outbox.last('password-changed', 'ann@example.com');
  t.truthy(notice);
  t.false(JSON.stringify(notice).includes(NEW_PASSWORD));
});

test('change password: a wrong current password is WrongPassword and changes nothing; the new one follows the signup rules', async (t) => {
  const world = fakeWorld();
  const { accessToken } = await verifiedUser(world);
  const caller = callerOf(world, accessToken);
  await t.throwsAsync(world.useCases.changePassword(caller, { currentPassword: 'not my password', newPassword: NEW_PASSWORD }), { instanceOf: WrongPassword });
  t.truthy(await world.useCases.authenticate(accessToken));
  for (const newPassword of ['short', 'password123', 'x'.repeat(73), PASSWORD]) {
    const error = await t.throwsAsync(world.useCases.changePassword(caller, { currentPassword: PASSWORD, newPassword }), { instanceOf: ValidationFailed });
    t.deepEqual(
      error!.errors.map((e) => e.field),
      ['newPassword'],
      newPassword,
    );
  }
  const error = await t.throwsAsync(world.useCases.changePassword(caller, {}), { instanceOf: ValidationFailed });
  t.deepEqual(
    error!.errors.map((e) => e.field),
    ['currentPassword', 'newPassword'],
  );
  t.is(world.outbox.last('password-changed'), undefined);
});

test('wrong passwords on self-service routes count as failed logins: past the limit they and the login answer RateLimited', async (t) => {
  const world = fakeWorld();
  const { accessToken, userId } = await verifiedUser(world);
  const caller = callerOf(world, accessToken);
  const attempts = [
    () => world.useCases.changePassword(caller, { currentPassword: 'wrong 1', newPassword: NEW_PASSWORD }),
    () => world.useCases.requestEmailChange(userId, { newEmail: 'new@example.com', currentPassword: 'wrong 2' }),
    () => world.useCases.deleteAccount(userId, { password: 'wrong 3' }),
  ];
  for (let i = 0; i < LOGIN_FAILURES.max; i++) await t.throwsAsync(attempts[i % attempts.length]!(), { instanceOf: WrongPassword });
  await t.throwsAsync(world.useCases.deleteAccount(userId, { password: PASSWORD }), { instanceOf: RateLimited });
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD }), { instanceOf: RateLimited });
  t.truthy(await world.repos.users.findById(userId));
});

test('email change: the new address gets a link, the old one a masked notice; nothing changes until the link is used', async (t) => {
  const world = fakeWorld();
  const { userId, accessToken } = await verifiedUser(world);
  await world.useCases.requestEmailChange(userId, { newEmail: 'Ann.New@Example.org', currentPassword: PASSWORD });

  const confirm = world.outbox.last('email-change-confirm');
  t.is(confirm?.to, 'Ann.New@Example.org');
  t.true(confirm && 'link' in confirm && confirm.link.startsWith(`${PUBLIC_URL}/account/confirm-email-change?token=`));
  const notice = world.outbox.last('email-change-requested');
  t.is(notice?.to, 'ann@example.com');
  t.true(notice && 'newEmail' in notice && notice.newEmail === maskEmail('Ann.New@Example.org'));
  t.false(JSON.stringify(notice).includes('Ann.New@Example.org'));
  t.is((await world.repos.users.findById(userId))!.email, 'ann@example.com');

  const token = world.outbox.lastToken('email-change-confirm');
  t.false(JSON.stringify(world.repos.tokens.table.all()).includes(token));
  t.deepEqual(await world.useCases.checkEmailChangeToken(token), { newEmail: 'Ann.New@Example.org' });
  t.deepEqual(await world.useCases.checkEmailChangeToken(token), { newEmail: 'Ann.New@Example.org' }); // looking does not use it

  const user = await world.useCases.confirmEmailChange(token);
  t.like(user, { email: 'Ann.New@Example.org', emailVerified: true });
  t.is((await world.useCases.authenticate(accessToken)).user.email, 'Ann.New@Example.org');
  const done = world.outbox.last('email-changed');
  t.is(done?.to, 'ann@example.com');
  await t.throwsAsync(world.useCases.confirmEmailChange(token), { instanceOf: InvalidToken });
  await t.throwsAsync(world.useCases.checkEmailChangeToken(token), { instanceOf: InvalidToken });
  t.truthy(await world.useCases.logIn({ email: 'ann.new@example.org', password: PASSWORD }));
});

test('email change: only the newest link works, links expire after VERIFY_TOKEN_TTL_S, and a password change kills pending links', async (t) => {
  const world = fakeWorld();
  const { userId, accessToken } = await verifiedUser(world);
  await world.useCases.requestEmailChange(userId, { newEmail: 'one@example.com', currentPassword: PASSWORD });
  const older = world.outbox.lastToken('email-change-confirm');
  world.clock.advance(1000);
  await world.useCases.requestEmailChange(userId, { newEmail: 'two@example.com', currentPassword: PASSWORD });
  const newer = world.outbox.lastToken('email-change-confirm');
  await t.throwsAsync(world.useCases.confirmEmailChange(older), { instanceOf: InvalidToken });
  await t.throwsAsync(world.useCases.checkEmailChangeToken(older), { instanceOf: InvalidToken });

  world.clock.advance(86_400_000);
  await t.throwsAsync(world.useCases.confirmEmailChange(newer), { instanceOf: InvalidToken });

  await world.useCases.requestEmailChange(userId, { newEmail: 'three@example.com', currentPassword: PASSWORD });
  const pending = world.outbox.lastToken('email-change-confirm');
  await world.useCases.changePassword(callerOf(world, accessToken), { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  await t.throwsAsync(world.useCases.confirmEmailChange(pending), { instanceOf: InvalidToken });
  t.is((await world.repos.users.findById(userId))!.email, 'ann@example.com');
  for (const token of ['', 'x'.repeat(201), 42, undefined]) await t.throwsAsync(world.useCases.confirmEmailChange(token), { instanceOf: InvalidToken });
});

test('email change: a taken address is EmailTaken at request time and at confirm time (taken meanwhile); own address is a ValidationFailed', async (t) => {
  const world = fakeWorld();
  const { userId } = await verifiedUser(world);
  await verifiedUser(world, 'bob@example.com');
  await t.throwsAsync(world.useCases.requestEmailChange(userId, { newEmail: 'BOB@example.com', currentPassword: PASSWORD }), { instanceOf: EmailTaken });
  await t.throwsAsync(world.useCases.requestEmailChange(userId, { newEmail: 'ANN@example.com', currentPassword: PASSWORD }), { instanceOf: ValidationFailed });
  const bad = await t.throwsAsync(world.useCases.requestEmailChange(userId, { newEmail: 'not an email', currentPassword: PASSWORD }), {
    instanceOf: ValidationFailed,
  });
  t.deepEqual(
    bad!.errors.map((e) => e.field),
    ['newEmail'],
  );

  await world.useCases.requestEmailChange(userId, { newEmail: 'carol@example.com', currentPassword: PASSWORD });
  const token = world.outbox.lastToken('email-change-confirm');
  await world.useCases.registerUser({ username: 'Carol', email: 'Carol@example.com', password: PASSWORD });
  await t.throwsAsync(world.useCases.confirmEmailChange(token), { instanceOf: EmailTaken });
  t.is((await world.repos.users.findById(userId))!.email, 'ann@example.com');
  t.is(world.outbox.last('email-changed'), undefined);
});

test('sessions: listed newest first with User-Agent and no secret, current marked; lastUsedAt moves at most once a minute', async (t) => {
  const world = fakeWorld();
  const first = await verifiedUser(world);
  world.clock.advance(1000);
  const phone = await secondLogin(world, 'ann@example.com', `Phone\u0000/1.0\n${'x'.repeat(1000)}`);
  const caller = callerOf(world, phone.accessToken);

  const { items } = await world.useCases.listSessions(caller);
  t.is(items.length, 2);
  t.deepEqual(
    items.map((s) => s.current),
    [true, false],
  );
  t.deepEqual(Object.keys(items[0]!).sort(), ['createdAt', 'current', 'id', 'lastUsedAt', 'userAgent']);
  t.is(items[0]!.userAgent, cleanUserAgent(`Phone\u0000/1.0\n${'x'.repeat(1000)}`));
  t.is([...items[0]!.userAgent!].length, 256);
  t.false(/[\u0000-\u001f]/.test(items[0]!.userAgent!));
  t.is(items[1]!.id, callerOf(world, first.accessToken).sessionId);

  const created = items[0]!.lastUsedAt.getTime();
  world.clock.advance(30_000);
  for (let i = 0; i < 5; i++) await world.useCases.authenticate(phone.accessToken);
  await Promise.resolve();
  t.is(world.repos.sessions.touches, 0);
  world.clock.advance(31_000);
  for (let i = 0; i < 5; i++) await world.useCases.authenticate(phone.accessToken);
  await new Promise((resolve) => setImmediate(resolve));
  t.is(world.repos.sessions.touches, 1);
  const after = (await world.useCases.listSessions(caller)).items[0]!;
  t.is(after.lastUsedAt.getTime(), created + 61_000);
});

test("revoking one session refuses its tokens at once; another user's or an unknown id is NotFound", async (t) => {
  const world = fakeWorld();
  const first = await verifiedUser(world);
  const phone = await secondLogin(world);
  const bob = await verifiedUser(world, 'bob@example.com');
  await world.useCases.authenticate(phone.accessToken); // cached as live
  const caller = callerOf(world, first.accessToken);
  const phoneId = callerOf(world, phone.accessToken).sessionId;

  await t.throwsAsync(world.useCases.revokeSession(callerOf(world, bob.accessToken), phoneId), { instanceOf: NotFound });
  t.truthy(await world.useCases.authenticate(phone.accessToken));
  await world.useCases.revokeSession(caller, phoneId);
  await t.throwsAsync(world.useCases.authenticate(phone.accessToken), { instanceOf: Unauthenticated });
  await t.throwsAsync(world.useCases.refreshSession(phone.refreshToken), { instanceOf: InvalidRefreshToken });
  await t.throwsAsync(world.useCases.revokeSession(caller, phoneId), { instanceOf: NotFound });
  await t.throwsAsync(world.useCases.revokeSession(caller, 'not-a-session'), { instanceOf: NotFound });
  t.truthy(await world.useCases.authenticate(first.accessToken));
  t.deepEqual(
    (await world.useCases.listSessions(caller)).items.map((s) => s.id),
    [caller.sessionId],
  );
});

test("log out everywhere else: every other session ends at once, the caller's lives on, other users untouched", async (t) => {
  const world = fakeWorld();
  const first = await verifiedUser(world);
  const others = [await secondLogin(world), await secondLogin(world)];
  const bob = await verifiedUser(world, 'bob@example.com');
  for (const o of others) await world.useCases.authenticate(o.accessToken);
  await world.useCases.revokeOtherSessions(callerOf(world, first.accessToken));
  for (const o of others) {
    await t.throwsAsync(world.useCases.authenticate(o.accessToken), { instanceOf: Unauthenticated });
    await t.throwsAsync(world.useCases.refreshSession(o.refreshToken), { instanceOf: InvalidRefreshToken });
  }
  t.truthy(await world.useCases.authenticate(first.accessToken));
  t.truthy(await world.useCases.refreshSession(first.refreshToken));
  t.truthy(await world.useCases.authenticate(bob.accessToken));
});

test('account deletion removes the user, contacts, sessions, tokens, queued emails and the avatar; a goodbye leaves; the address can sign up again', async (t) => {
  const world = fakeWorld();
  const { userId, accessToken, refreshToken } = await verifiedUser(world);
  const bob = await verifiedUser(world, 'bob@example.com');
  await world.useCases.createContact(userId, {
    firstName: 'Zed',
    lastName: 'Z',
    email: 'zed@example.com',
    phone: '+1 555 0100',
    birthday: '1990-01-02',
    notes: null,
  });
  await world.useCases.updateAvatar({ userId, image: png(4, 4) });
  await world.useCases.requestPasswordReset({ email: 'ann@example.com' });
  await world.useCases.authenticate(accessToken);

  await t.throwsAsync(world.useCases.deleteAccount(userId, { password: 'wrong password' }), { instanceOf: WrongPassword });
  t.truthy(await world.repos.users.findById(userId));
  await world.useCases.deleteAccount(userId, { password: PASSWORD });

  t.is(await world.repos.users.findById(userId), null);
  t.is(world.repos.contacts.table.all().filter((c) => c.userId === userId).length, 0);
  t.is(world.repos.sessions.table.all().filter((s) => s.userId === userId).length, 0);
  t.is(world.repos.tokens.table.all().filter((r) => r.userId === userId).length, 0);
  t.false(world.avatars.images.has(userId));
  t.deepEqual(
    world.outbox
      .messages()
      .filter((m) => m.email.userId === userId)
      .map((m) => m.email.kind),
    ['account-deleted'],
  );
  t.is(world.outbox.last('account-deleted')?.to, 'ann@example.com');
  await t.throwsAsync(world.useCases.authenticate(accessToken), { instanceOf: Unauthenticated });
  await t.throwsAsync(world.useCases.refreshSession(refreshToken), { instanceOf: InvalidRefreshToken });
  t.truthy(await world.useCases.authenticate(bob.accessToken));
  t.truthy(await world.repos.users.findById(bob.userId));

  const again = await world.useCases.registerUser({ username: 'Ann again', email: 'ann@example.com', password: PASSWORD });
  t.not(again.id, userId);
});

test('account deletion still succeeds when the avatar store fails; the failure is logged with the user id', async (t) => {
  const world = fakeWorld();
  const { userId } = await verifiedUser(world);
  world.avatars.failure = new Error('store down');
  await world.useCases.deleteAccount(userId, { password: PASSWORD });
  t.is(await world.repos.users.findById(userId), null);
  t.true(world.logger.lines.some((l) => l.level === 'warn' && (l.fields as { userId?: string }).userId === userId));
});

test('export holds the user, every contact and every session, and nothing secret', async (t) => {
  const world = fakeWorld();
  const { userId, accessToken, refreshToken } = await verifiedUser(world);
  const phone = await secondLogin(world);
  await world.useCases.revokeSession(callerOf(world, accessToken), callerOf(world, phone.accessToken).sessionId);
  await world.useCases.createContact(userId, {
    firstName: 'Zed',
    lastName: 'Z',
    email: 'zed@example.com',
    phone: '+1 555 0100',
    birthday: '1990-01-02',
    notes: 'n',
  });
  const exported = await collected(await world.useCases.exportAccount(callerOf(world, accessToken)));
  t.deepEqual(exported.exportedAt, world.clock.now());
  t.like(exported.user, { id: userId, email: 'ann@example.com' });
  t.deepEqual(
    exported.contacts.map((c) => c.firstName),
    ['Zed'],
  );
  t.is(exported.sessions.length, 2);
  t.deepEqual(exported.sessions.filter((s) => s.current).length, 1);
  t.truthy(exported.sessions.find((s) => !s.current)!.revokedAt);
  const text = JSON.stringify(exported);
  const user = (await world.repos.users.findById(userId))!;
  for (const secret of [user.passwordHash, accessToken, refreshToken, ...world.repos.sessions.table.all().map((s) => s.refreshJti)])
    t.false(text.includes(secret));
  t.false(/passwordHash|refreshJti|tokenVersion|userId/.test(text));
});

test('security notices are never held back by the one-email-per-minute limit of verification and reset links', async (t) => {
  const world = fakeWorld();
  const { userId, accessToken } = await verifiedUser(world);
  await world.useCases.requestPasswordReset({ email: 'ann@example.com' });
  await world.useCases.requestEmailChange(userId, { newEmail: 'one@example.com', currentPassword: PASSWORD });
  await world.useCases.requestEmailChange(userId, { newEmail: 'two@example.com', currentPassword: PASSWORD });
  await world.useCases.changePassword(callerOf(world, accessToken), { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  const kinds = world.outbox.to('ann@example.com').map((e) => e.kind);
  t.deepEqual(
    kinds.filter((k) => k !== 'verify-email'),
    ['password-reset', 'email-change-requested', 'email-change-requested', 'password-changed'],
  );
  t.is(world.outbox.to('one@example.com').length, 1);
  t.is(world.outbox.to('two@example.com').length, 1);
});

test('email change: at most one confirmation per new address per minute, whoever asks; the notices always go, and the link sent still works', async (t) => {
  const world = fakeWorld();
  const ann = await verifiedUser(world);
  const bob = await verifiedUser(world, 'bob@example.com');
  for (let i = 0; i < 5; i++)
    await world.useCases.requestEmailChange(ann.user.id, { newEmail: i % 2 ? 'VICTIM@example.org' : 'victim@example.org', currentPassword: PASSWORD });
  await world.useCases.requestEmailChange(bob.user.id, { newEmail: 'victim@example.org', currentPassword: PASSWORD });
  t.is(world.outbox.to('victim@example.org').length, 1);
  t.is(world.outbox.to('ann@example.com').filter((e) => e.kind === 'email-change-requested').length, 5);
  t.is(world.outbox.to('bob@example.com').filter((e) => e.kind === 'email-change-requested').length, 1);

  await world.useCases.requestEmailChange(ann.user.id, { newEmail: 'other@example.org', currentPassword: PASSWORD });
  t.is(world.outbox.to('other@example.org').length, 1, 'another address is not held back');

  world.clock.advance(60_000);
  await world.useCases.requestEmailChange(bob.user.id, { newEmail: 'victim@example.org', currentPassword: PASSWORD });
  const sent = world.outbox.to('victim@example.org');
  t.is(sent.length, 2, 'a minute later the address may get one again');
  t.like(await world.useCases.confirmEmailChange(world.outbox.lastToken('email-change-confirm', 'victim@example.org')), { email: 'victim@example.org' });
});
