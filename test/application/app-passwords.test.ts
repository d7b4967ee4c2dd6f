import test from 'ava';
import { APP_PASSWORD_BITS } from '../../src/domain/app-password.js';
import { NotFound, RateLimited, ValidationFailed } from '../../src/domain/errors.js';
import { Unauthenticated, WrongPassword } from '../../src/domain/user.errors.js';
import { fakeWorld, LOGIN_FAILURES, PASSWORD, verifiedUser } from '../fakes/fake-world.js';
import { collected } from '../helpers/account-export.js';

type World = ReturnType<typeof fakeWorld>;
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
const SHAPE = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){4}$/;

async function appPassword(world: World, userId: string, name = 'Phone') {
  return world.useCases.createAppPassword(userId, { name, currentPassword: PASSWORD, clientIp: '10.0.0.1' });
}

test('create: shown once in an easy-to-type shape of at least 100 random bits; only a digest is stored; the list never shows it', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  t.true(APP_PASSWORD_BITS >= 100);
  const created = await appPassword(world, user.id, '  Anna’s iPhone ');
  t.like(created, { name: 'Anna’s iPhone', createdAt: world.clock.now() });
  t.regex(created.password, SHAPE);
  world.clock.advance(1000);
  const second = await appPassword(world, user.id, 'Tablet');
  t.not(second.password, created.password);

  const { items } = await world.useCases.listAppPasswords(user.id);
  t.deepEqual(
    items.map((i) => i.name),
    ['Tablet', 'Anna’s iPhone'],
  );
  t.deepEqual(Object.keys(items[0]!).sort(), ['createdAt', 'id', 'lastUsedAt', 'name']);
  const stored = JSON.stringify(world.repos.appPasswords.table.all());
  for (const secret of [created.password, created.password.replaceAll('-', '')]) {
    t.false(stored.includes(secret));
    t.false(JSON.stringify(items).includes(secret));
  }
});

test('create: a bad name or no current password is a ValidationFailed naming the field; a wrong password is WrongPassword and counts as a failed login', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  for (const name of ['', '   ', 'x'.repeat(51), 'a\u0000b', 7, undefined]) {
    const error = await t.throwsAsync(world.useCases.createAppPassword(user.id, { name, currentPassword: PASSWORD }), { instanceOf: ValidationFailed });
    t.deepEqual(
      error!.errors.map((e) => e.field),
      ['name'],
    );
  }
  t.truthy(await world.useCases.createAppPassword(user.id, { name: 'x'.repeat(50), currentPassword: PASSWORD }));
  await t.throwsAsync(world.useCases.createAppPassword(user.id, { name: 'P' }), { instanceOf: ValidationFailed });
  for (let i = 0; i < LOGIN_FAILURES.max; i += 1) {
    await t.throwsAsync(world.useCases.createAppPassword(user.id, { name: 'P', currentPassword: 'wrong one', clientIp: '10.0.0.9' }), {
      instanceOf: WrongPassword,
    });
  }
  // The throttle refuses even the right password from that IP now; another IP is still let in.
  await t.throwsAsync(world.useCases.createAppPassword(user.id, { name: 'P', currentPassword: PASSWORD, clientIp: '10.0.0.9' }), { instanceOf: RateLimited });
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD, clientIp: '10.0.0.9' }), { instanceOf: RateLimited });
  t.truthy(await world.useCases.createAppPassword(user.id, { name: 'P', currentPassword: PASSWORD, clientIp: '10.0.0.10' }));
  t.is((await world.useCases.listAppPasswords(user.id)).items.length, 2);
});

test('create: at most 20 per account; the 21st is a ValidationFailed, and revoking one makes room', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const made = [];
  for (let i = 0; i < 20; i += 1) made.push(await appPassword(world, user.id, `Device ${i}`));
  const error = await t.throwsAsync(appPassword(world, user.id, 'One too many'), { instanceOf: ValidationFailed });
  t.deepEqual(
    error!.errors.map((e) => e.field),
    ['appPasswords'],
  );
  t.is((await world.useCases.listAppPasswords(user.id)).items.length, 20);
  await world.useCases.revokeAppPassword(user.id, made[0]!.id);
  t.truthy(await appPassword(world, user.id, 'Now it fits'));
});

test('authenticateDav: Basic with the email in any case or the username and an app password (typed in any case, with or without dashes) is the user', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const { id, password } = await appPassword(world, user.id);
  for (const [login, typed] of [
    ['ann@example.com', password],
    ['ANN@Example.COM', password.toUpperCase()],
    ['Ann', password.replaceAll('-', '')],
    ['Ann', password.replaceAll('-', ' ')],
  ] as const) {
    const caller = await world.useCases.authenticateDav(basic(login, typed), '10.0.0.1');
    t.like(caller, { via: 'app-password', appPasswordId: id, user: { id: user.id, email: 'ann@example.com' } });
  }
  t.deepEqual((await world.useCases.listAppPasswords(user.id)).items[0]!.lastUsedAt, world.clock.now());
});

test('authenticateDav: records the last use at most once a minute', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const { password } = await appPassword(world, user.id);
  const first = world.clock.now();
  await world.useCases.authenticateDav(basic('ann@example.com', password));
  world.clock.advance(30_000);
  await world.useCases.authenticateDav(basic('ann@example.com', password));
  t.deepEqual((await world.useCases.listAppPasswords(user.id)).items[0]!.lastUsedAt, first);
  t.is(world.repos.appPasswords.touches, 1);
  world.clock.advance(30_000);
  await world.useCases.authenticateDav(basic('ann@example.com', password));
  t.deepEqual((await world.useCases.listAppPasswords(user.id)).items[0]!.lastUsedAt, world.clock.now());
});

test('authenticateDav: the account password, another account, a revoked or unknown app password, or anything but Basic/Bearer is Unauthenticated', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const bob = await verifiedUser(world, 'bob@example.com');
  const { password, id } = await appPassword(world, user.id);
  const refused = [
    undefined,
    '',
    basic('ann@example.com', PASSWORD),
    basic('bob@example.com', password),
    basic('nobody@example.com', password),
    basic('ann@example.com', 'k3fq-9x2m-a7hw-c0pz-t5nd'),
    basic('ann@example.com', ''),
    basic('', password),
    `Basic ${Buffer.from('no colon').toString('base64')}`,
    'Basic !!!',
    `Basic ${'A'.repeat(100_000)}`,
    `Digest username="ann@example.com"`,
    `Bearer ${bob.accessToken}x`,
  ];
  for (const header of refused)
    await t.throwsAsync(world.useCases.authenticateDav(header, '10.0.0.2'), { instanceOf: Unauthenticated }, String(header).slice(0, 60));
  await world.useCases.revokeAppPassword(user.id, id);
  await t.throwsAsync(world.useCases.authenticateDav(basic('ann@example.com', password)), { instanceOf: Unauthenticated });
});

test('authenticateDav: Bearer with a live access token is its user, refused once the session ends', async (t) => {
  const world = fakeWorld();
  const { user, accessToken, refreshToken } = await verifiedUser(world);
  t.like(await world.useCases.authenticateDav(`Bearer ${accessToken}`), { via: 'bearer', user: { id: user.id } });
  const claims = world.tokens.verifyAccess(accessToken)!;
  await world.useCases.logOut({ userId: claims.userId, sessionId: claims.sessionId }, refreshToken);
  await t.throwsAsync(world.useCases.authenticateDav(`Bearer ${accessToken}`), { instanceOf: Unauthenticated });
});

test('authenticateDav: failed Basic logins count per account and IP: that IP gets RateLimited, even with the right app password, another IP does not', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const { password } = await appPassword(world, user.id);
  for (let i = 0; i < LOGIN_FAILURES.max; i += 1) {
    await t.throwsAsync(world.useCases.authenticateDav(basic('ann@example.com', PASSWORD), '10.0.0.66'), { instanceOf: Unauthenticated });
  }
  await t.throwsAsync(world.useCases.authenticateDav(basic('ann@example.com', password), '10.0.0.66'), { instanceOf: RateLimited });
  // The same budget as /api/auth/login for that email.
  await t.throwsAsync(world.useCases.logIn({ email: 'ann@example.com', password: PASSWORD, clientIp: '10.0.0.66' }), { instanceOf: RateLimited });
  t.like(await world.useCases.authenticateDav(basic('ann@example.com', password), '10.0.0.67'), { user: { id: user.id } });
  // Guessing under the username is counted too.
  for (let i = 0; i < LOGIN_FAILURES.max; i += 1) {
    await t.throwsAsync(world.useCases.authenticateDav(basic('Ann', 'aaaa-aaaa-aaaa-aaaa-aaaa'), '10.0.0.68'), { instanceOf: Unauthenticated });
  }
  await t.throwsAsync(world.useCases.authenticateDav(basic('Ann', password), '10.0.0.68'), { instanceOf: RateLimited });
});

test('revoke: another user’s, an unknown or a malformed id is NotFound and revokes nothing', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const bob = await verifiedUser(world, 'bob@example.com');
  const { id } = await appPassword(world, user.id);
  for (const other of [id, '00000000-0000-4000-8000-000000000000']) {
    await t.throwsAsync(world.useCases.revokeAppPassword(bob.user.id, other), { instanceOf: NotFound });
  }
  await t.throwsAsync(world.useCases.revokeAppPassword(user.id, 'nope'), { instanceOf: NotFound });
  t.is((await world.useCases.listAppPasswords(user.id)).items.length, 1);
  await world.useCases.revokeAppPassword(user.id, id);
  t.deepEqual((await world.useCases.listAppPasswords(user.id)).items, []);
});

test('a password change or a reset revokes every app password; another user’s stay', async (t) => {
  const world = fakeWorld();
  const ann = await verifiedUser(world);
  const bob = await verifiedUser(world, 'bob@example.com');
  const annPasswords = [await appPassword(world, ann.user.id, 'a'), await appPassword(world, ann.user.id, 'b')];
  const bobPassword = await appPassword(world, bob.user.id);
  const claims = world.tokens.verifyAccess(ann.accessToken)!;
  await world.useCases.changePassword(
    { userId: claims.userId, sessionId: claims.sessionId },
    { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
  );
  t.deepEqual((await world.useCases.listAppPasswords(ann.user.id)).items, []);
  for (const { password } of annPasswords)
    await t.throwsAsync(world.useCases.authenticateDav(basic('ann@example.com', password)), { instanceOf: Unauthenticated });
  t.truthy(await world.useCases.authenticateDav(basic('bob@example.com', bobPassword.password)));

  await world.useCases.requestPasswordReset({ email: 'bob@example.com' });
  await world.useCases.resetPassword({ token: world.outbox.lastToken('password-reset', 'bob@example.com'), password: 'another new passphrase' });
  t.deepEqual((await world.useCases.listAppPasswords(bob.user.id)).items, []);
  await t.throwsAsync(world.useCases.authenticateDav(basic('bob@example.com', bobPassword.password)), { instanceOf: Unauthenticated });
});

test('the account export lists app passwords without their secret; deleting the account deletes them', async (t) => {
  const world = fakeWorld();
  const ann = await verifiedUser(world);
  const { password, id } = await appPassword(world, ann.user.id);
  const claims = world.tokens.verifyAccess(ann.accessToken)!;
  const exported = await collected(await world.useCases.exportAccount({ userId: claims.userId, sessionId: claims.sessionId }));
  t.deepEqual(exported.appPasswords, [{ id, name: 'Phone', createdAt: world.clock.now(), lastUsedAt: null }]);
  t.false(JSON.stringify(exported).includes(password));
  await world.useCases.deleteAccount(ann.user.id, { password: PASSWORD });
  t.is(world.repos.appPasswords.table.all().length, 0);
  await t.throwsAsync(world.useCases.authenticateDav(basic('ann@example.com', password)), { instanceOf: Unauthenticated });
});
