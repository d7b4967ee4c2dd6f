import test, { type ExecutionContext } from 'ava';
import { BACKENDS, oneSchemaTwoInstances, postgresAvailable, redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { eachBackend, PASSWORD, randomRedisPrefix, signUpAndLogIn, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase';
const SHAPE = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){4}$/;
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
type Created = { id: string; name: string; password: string; createdAt: string };
type Listed = { items: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[] };

const create = (app: TestApp, token: string, json: unknown, ip?: string) =>
  app.request('/api/users/me/app-passwords', { method: 'POST', token, json, headers: ip ? { 'x-forwarded-for': ip } : {} });
async function created(app: TestApp, token: string, name = 'Phone'): Promise<Created> {
  const res = await create(app, token, { name, currentPassword: PASSWORD });
  if (res.status !== 201) throw new Error(`creation answered ${res.status}`);
  return (await res.json()) as Created;
}
const list = async (app: TestApp, token: string) => (await (await app.request('/api/users/me/app-passwords', { token })).json()) as Listed;
const revoke = (app: TestApp, token: string, id: string) => app.request(`/api/users/me/app-passwords/${id}`, { method: 'DELETE', token });
/** What the CardDAV adapter asks (the DAV routes are another family's): the user, or why not. */
const dav = (app: TestApp, authorization: string | undefined, ip = '127.0.0.1') =>
  app.container.useCases.authenticateDav(authorization, ip).then(
    (caller) => caller.user.id,
    (error: Error) => error.constructor.name,
  );

async function problem(t: ExecutionContext, res: Response, status: number, code: string) {
  t.is(res.status, status);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  return t.like(await res.json(), { status, code });
}

eachBackend(BACKENDS, (it) => {
  it('POST creates one: 201 with the password, shown only there; the list, the export and the stored row never hold it', async (t, app) => {
    const { accessToken, email, userId } = await signUpAndLogIn(app);
    const res = await create(app, accessToken, { name: '  Anna’s iPhone ', currentPassword: PASSWORD });
    t.is(res.status, 201);
    t.is(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Created;
    t.deepEqual(Object.keys(body).sort(), ['createdAt', 'id', 'name', 'password']);
    t.is(body.name, 'Anna’s iPhone');
    t.regex(body.password, SHAPE);
    const bare = body.password.replaceAll('-', '');

    const listed = await list(app, accessToken);
    t.deepEqual(listed, { items: [{ id: body.id, name: 'Anna’s iPhone', createdAt: body.createdAt, lastUsedAt: null }] });
    const exported = await (await app.request('/api/users/me/export', { token: accessToken })).text();
    t.like(JSON.parse(exported), { appPasswords: [{ id: body.id, name: 'Anna’s iPhone', createdAt: body.createdAt, lastUsedAt: null }] });
    const rows = await app.db.knex('app_passwords').where('userId', userId);
    t.is(rows.length, 1);
    for (const text of [exported, JSON.stringify(rows)]) {
      t.false(text.includes(body.password));
      t.false(text.includes(bare));
    }

    t.is(await dav(app, basic(email.toUpperCase(), body.password)), userId);
    t.is(await dav(app, basic('Someone', bare.toUpperCase())), userId);
    t.not((await list(app, accessToken)).items[0]!.lastUsedAt, null);
  });

  it('a bad name or a missing current password is 422 naming the field; a wrong one 403 WRONG_PASSWORD; no token 401', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    for (const name of ['', '   ', 'x'.repeat(51), 'a\u0007b', 5]) {
      const res = await create(app, accessToken, { name, currentPassword: PASSWORD });
      await problem(t, res.clone(), 422, 'VALIDATION_FAILED');
      t.like(await res.json(), { errors: [{ field: 'name' }] });
    }
    t.like(await (await create(app, accessToken, { name: 'Phone' })).json(), { status: 422, errors: [{ field: 'currentPassword' }] });
    await problem(t, await create(app, accessToken, { name: 'Phone', currentPassword: 'wrong password' }), 403, 'WRONG_PASSWORD');
    await problem(
      t,
      await app.request('/api/users/me/app-passwords', { method: 'POST', json: { name: 'P', currentPassword: PASSWORD } }),
      401,
      'UNAUTHENTICATED',
    );
    await problem(t, await app.request('/api/users/me/app-passwords'), 401, 'UNAUTHENTICATED');
    t.deepEqual(await list(app, accessToken), { items: [] });
    t.is((await create(app, accessToken, { name: 'x'.repeat(50), currentPassword: PASSWORD })).status, 201);
  });

  it('at most 20 per account: the 21st is 422; the list is newest first', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    for (let i = 0; i < 20; i += 1) await created(app, accessToken, `Device ${i}`);
    const res = await create(app, accessToken, { name: 'One too many', currentPassword: PASSWORD });
    await problem(t, res.clone(), 422, 'VALIDATION_FAILED');
    t.like(await res.json(), { errors: [{ field: 'appPasswords' }] });
    const { items } = await list(app, accessToken);
    t.is(items.length, 20);
    t.is(items[0]!.name, 'Device 19');
    t.is(items[19]!.name, 'Device 0');
  });

  it('DELETE revokes at once (204): Basic with it is refused; another user’s or an unknown id is 404', async (t, app) => {
    const ann = await signUpAndLogIn(app);
    const bob = await signUpAndLogIn(app);
    const phone = await created(app, ann.accessToken, 'Phone');
    const tablet = await created(app, ann.accessToken, 'Tablet');
    t.is(await dav(app, basic(ann.email, phone.password)), ann.userId);
    await problem(t, await revoke(app, bob.accessToken, phone.id), 404, 'NOT_FOUND');
    await problem(t, await revoke(app, ann.accessToken, '00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    await problem(t, await revoke(app, ann.accessToken, 'not-an-id'), 404, 'NOT_FOUND');
    t.is(await dav(app, basic(ann.email, phone.password)), ann.userId);

    t.is((await revoke(app, ann.accessToken, phone.id)).status, 204);
    t.is(await dav(app, basic(ann.email, phone.password)), 'Unauthenticated');
    t.is(await dav(app, basic(ann.email, tablet.password)), ann.userId);
    await problem(t, await revoke(app, ann.accessToken, phone.id), 404, 'NOT_FOUND');
    t.deepEqual(
      (await list(app, ann.accessToken)).items.map((i) => i.id),
      [tablet.id],
    );
  });

  it('Basic with the account password (even right), with another account’s name, or not Basic/Bearer is refused; Bearer with an access token is accepted', async (t, app) => {
    const ann = await signUpAndLogIn(app);
    const bob = await signUpAndLogIn(app);
    const { password } = await created(app, ann.accessToken);
    t.is(await dav(app, basic(ann.email, PASSWORD)), 'Unauthenticated');
    t.is(await dav(app, basic(bob.email, password)), 'Unauthenticated');
    t.is(await dav(app, undefined), 'Unauthenticated');
    t.is(await dav(app, `Digest username="${ann.email}"`), 'Unauthenticated');
    t.is(await dav(app, `Bearer ${ann.accessToken}`), ann.userId);
    t.is(await dav(app, `Bearer ${ann.refreshToken}`), 'Unauthenticated');
  });

  it('a password change or a reset revokes every app password of the account', async (t, app) => {
    const ann = await signUpAndLogIn(app);
    const bob = await signUpAndLogIn(app);
    const annPasswords = [await created(app, ann.accessToken, 'a'), await created(app, ann.accessToken, 'b')];
    const bobPassword = await created(app, bob.accessToken);
    const changed = await app.request('/api/users/me/password', {
      method: 'POST',
      token: ann.accessToken,
      json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    t.is(changed.status, 200);
    const { accessToken } = (await changed.json()) as { accessToken: string };
    t.deepEqual(await list(app, accessToken), { items: [] });
    for (const { password } of annPasswords) t.is(await dav(app, basic(ann.email, password)), 'Unauthenticated');
    t.is(await dav(app, basic(bob.email, bobPassword.password)), bob.userId);

    t.is((await app.request('/api/auth/forgot-password', { method: 'POST', json: { email: bob.email } })).status, 202);
    const token = app.mailer.lastToken('password-reset', bob.email);
    t.is((await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password: NEW_PASSWORD } })).status, 204);
    t.is(await dav(app, basic(bob.email, bobPassword.password)), 'Unauthenticated');
    t.is(
      await app.db
        .knex('app_passwords')
        .where('userId', bob.userId)
        .count({ n: '*' })
        .first()
        .then((r) => Number(r!.n)),
      0,
    );
  });

  it('deleting the account deletes its app passwords', async (t, app) => {
    const ann = await signUpAndLogIn(app);
    const { password } = await created(app, ann.accessToken);
    t.is((await app.request('/api/users/me', { method: 'DELETE', token: ann.accessToken, json: { password: PASSWORD } })).status, 204);
    t.deepEqual(await app.db.knex('app_passwords').where('userId', ann.userId), []);
    t.is(await dav(app, basic(ann.email, password)), 'Unauthenticated');
  });
});

test.serial(
  'limits: creation spends the per-IP auth budget; a wrong current password and a failed Basic login count as failed logins (per account and IP)',
  async (t) => {
    const app = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '4', RATE_LIMIT_LOGIN_FAILURES_MAX: '2', TRUST_PROXY: 'true' } });
    t.teardown(() => app.close());
    const ann = await signUpAndLogIn(app, uniqueEmail());

    // The auth budget: four calls from one IP, then 429 before the password is checked.
    for (let i = 0; i < 4; i += 1) t.is((await create(app, ann.accessToken, { name: `p${i}`, currentPassword: PASSWORD }, '203.0.113.1')).status, 201);
    const limited = await create(app, ann.accessToken, { name: 'p', currentPassword: PASSWORD }, '203.0.113.1');
    await problem(t, limited.clone(), 429, 'RATE_LIMITED');
    t.regex(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    t.is((await create(app, ann.accessToken, { name: 'p', currentPassword: PASSWORD }, '203.0.113.2')).status, 201);

    // Wrong current passwords: 403 twice, then that IP is refused for the account, even with the right one.
    for (let i = 0; i < 2; i += 1)
      await problem(t, await create(app, ann.accessToken, { name: 'p', currentPassword: 'wrong' }, '203.0.113.3'), 403, 'WRONG_PASSWORD');
    await problem(t, await create(app, ann.accessToken, { name: 'p', currentPassword: PASSWORD }, '203.0.113.3'), 429, 'RATE_LIMITED');
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      json: { email: ann.email, password: PASSWORD },
      headers: { 'x-forwarded-for': '203.0.113.3' },
    });
    t.is(login.status, 429);

    // Failed Basic logins: the same throttle; guessing from one IP hits it, the owner elsewhere does not.
    const { password } = (await (await create(app, ann.accessToken, { name: 'p', currentPassword: PASSWORD }, '203.0.113.4')).json()) as Created;
    t.is(await dav(app, basic(ann.email, PASSWORD), '203.0.113.5'), 'Unauthenticated');
    t.is(await dav(app, basic(ann.email, 'aaaa-bbbb-cccc-dddd-eeee'), '203.0.113.5'), 'Unauthenticated');
    t.is(await dav(app, basic(ann.email, password), '203.0.113.5'), 'RateLimited');
    t.is(await dav(app, basic(ann.email, password), '203.0.113.6'), ann.userId);
  },
);

test.serial(
  'two instances on one PostgreSQL and Redis: an app password revoked on one is refused by the other at once; so after a password change',
  async (t) => {
    if (!(await postgresAvailable()) || !(await redisAvailable())) return t.pass('PostgreSQL or Redis is not running');
    const instances = await oneSchemaTwoInstances();
    const redisKeyPrefix = randomRedisPrefix();
    const env = { REDIS_URL: TEST_REDIS_URL };
    const a = await startTestApp({ backend: instances.backends[0], env, redisKeyPrefix });
    const b = await startTestApp({ backend: instances.backends[1], env, redisKeyPrefix });
    t.teardown(async () => {
      await b.close();
      await a.close();
      await instances.drop();
    });
    const ann = await signUpAndLogIn(a, uniqueEmail());
    const phone = await created(a, ann.accessToken, 'Phone');
    const tablet = await created(a, ann.accessToken, 'Tablet');
    t.is(await dav(b, basic(ann.email, phone.password)), ann.userId);
    t.is(await dav(b, `Bearer ${ann.accessToken}`), ann.userId);
    t.is((await revoke(a, ann.accessToken, phone.id)).status, 204);
    t.is(await dav(b, basic(ann.email, phone.password)), 'Unauthenticated');
    t.is(await dav(b, basic(ann.email, tablet.password)), ann.userId);

    const changed = await a.request('/api/users/me/password', {
      method: 'POST',
      token: ann.accessToken,
      json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    t.is(changed.status, 200);
    t.is(await dav(b, basic(ann.email, tablet.password)), 'Unauthenticated');
    t.is(await dav(b, `Bearer ${ann.accessToken}`), 'Unauthenticated');
  },
);
