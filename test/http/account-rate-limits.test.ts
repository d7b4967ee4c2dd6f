import test, { type ExecutionContext } from 'ava';
import { redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { png } from '../helpers/images.js';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';
import { form, upload } from '../helpers/uploads.js';

const LIMITS = {
  RATE_LIMIT_AUTH_MAX: '6',
  RATE_LIMIT_LOGIN_FAILURES_MAX: '3',
  RATE_LIMIT_ACCOUNT_MAX: '3',
  AVATAR_MAX_BYTES: '4096',
  // A generous Redis bound: on a loaded machine a slow answer would fail open (by design) and hide the limit.
  REDIS_TIMEOUT_MS: '5000',
  TRUST_PROXY: 'true',
};

let ipCounter = 0;
/** A client address no other test of this file uses (behind TRUST_PROXY=true). */
const newIp = () => `198.51.100.${++ipCounter}`;
let prefixCounter = 0;
/** A /64 no other test of this file uses. */
const newPrefix = () => `2001:db8:${(++prefixCounter).toString(16)}`;

const STORES: Array<{ name: string; env: Record<string, string>; available: () => Promise<boolean> }> = [
  { name: 'memory', env: {}, available: async () => true },
  { name: 'redis', env: { REDIS_URL: TEST_REDIS_URL }, available: redisAvailable },
];

type Call = { method?: string; json?: unknown; token?: string; ip?: string; body?: NonNullable<RequestInit['body']> };
const call = (app: TestApp, path: string, { method = 'POST', ip, ...rest }: Call) =>
  app.request(path, { method, ...rest, headers: ip ? { 'x-forwarded-for': ip } : {} });
const logIn = (app: TestApp, email: string, password: string, ip: string) => call(app, '/api/auth/login', { json: { email, password }, ip });

/** A verified, logged-in account, made from addresses of its own so that no test's budget is spent. */
async function account(app: TestApp) {
  const email = uniqueEmail();
  const signup = await call(app, '/api/auth/signup', { json: { username: 'Someone', email, password: PASSWORD }, ip: newIp() });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  const verify = await app.request(`/api/auth/verify-email?token=${app.mailer.lastToken('verify-email', email)}`);
  if (verify.status !== 200) throw new Error(`verify answered ${verify.status}`);
  const login = await logIn(app, email, PASSWORD, newIp());
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  return { email, token: ((await login.json()) as { accessToken: string }).accessToken };
}

async function assertRateLimited(t: ExecutionContext, res: Response, limit?: string) {
  t.is(res.status, 429);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  t.regex(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  if (limit) {
    t.is(res.headers.get('x-ratelimit-limit'), limit);
    t.is(res.headers.get('x-ratelimit-remaining'), '0');
    t.regex(res.headers.get('x-ratelimit-reset') ?? '', /^\d+$/);
  }
  t.like(await res.json(), { status: 429, code: 'RATE_LIMITED' });
}

for (const store of STORES) {
  let app: TestApp | undefined;
  let up = true;
  test.serial.before(async () => {
    up = await store.available();
    if (up) app = await startTestApp({ env: { ...LIMITS, ...store.env } });
  });
  test.after.always(async () => {
    await app?.close();
  });
  const it = (title: string, body: (t: ExecutionContext, app: TestApp) => Promise<void>) =>
    test.serial(`[${store.name}] ${title}`, async (t) => {
      if (!up) return t.pass('Redis is not running');
      await body(t, app!);
    });

  it('eight email-change requests from one IP with RATE_LIMIT_AUTH_MAX=6: the 7th and 8th answer 429, before the password is checked', async (t, app) => {
    const { token } = await account(app);
    const ip = newIp();
    const statuses: number[] = [];
    const asked: string[] = [];
    for (let i = 0; i < 8; i++) {
      const newEmail = uniqueEmail('new');
      asked.push(newEmail);
      // The last two give a wrong password: refused for the budget (429), not for the password (403).
      const res = await call(app, '/api/users/me/email', { token, ip, json: { newEmail, currentPassword: i < 6 ? PASSWORD : 'wrong password' } });
      statuses.push(res.status);
      if (i < 6) t.is(res.headers.get('x-ratelimit-remaining'), String(5 - i));
      else await assertRateLimited(t, res, '6');
    }
    t.deepEqual(statuses, [202, 202, 202, 202, 202, 202, 429, 429]);
    t.deepEqual(
      asked.map((address) => app.mailer.to(address).length),
      [1, 1, 1, 1, 1, 1, 0, 0],
    );
    const elsewhere = await call(app, '/api/users/me/email', { token, ip: newIp(), json: { newEmail: uniqueEmail('new'), currentPassword: PASSWORD } });
    t.is(elsewhere.status, 202, 'another IP is not limited');
  });

  it('changing the password and deleting the account spend the same per-IP budget as login', async (t, app) => {
    const { email, token } = await account(app);
    const ip = newIp();
    t.is((await logIn(app, uniqueEmail(), PASSWORD, ip)).status, 401);
    t.is((await logIn(app, uniqueEmail(), PASSWORD, ip)).status, 401);
    t.is(
      (await call(app, '/api/users/me/password', { token, ip, json: { currentPassword: 'wrong password', newPassword: 'another fine passphrase' } })).status,
      403,
    );
    t.is(
      (await call(app, '/api/users/me/password', { token, ip, json: { currentPassword: 'wrong password', newPassword: 'another fine passphrase' } })).status,
      403,
    );
    const last = await call(app, '/api/users/me', { method: 'DELETE', token, ip, json: { password: 'wrong password' } });
    t.is(last.status, 403);
    t.is(last.headers.get('x-ratelimit-remaining'), '1');
    t.is((await call(app, '/api/users/me', { method: 'DELETE', token, ip: newIp(), json: { password: 'wrong password' } })).status, 403);
    t.is((await logIn(app, uniqueEmail(), PASSWORD, ip)).status, 401);
    await assertRateLimited(
      t,
      await call(app, '/api/users/me/password', { token, ip, json: { currentPassword: PASSWORD, newPassword: 'another fine passphrase' } }),
      '6',
    );
    await assertRateLimited(t, await call(app, '/api/users/me', { method: 'DELETE', token, ip, json: { password: PASSWORD } }), '6');
    await assertRateLimited(t, await logIn(app, email, PASSWORD, ip), '6');
    t.truthy(await app.container.repos.users.findByEmail(email), 'the account is still there');
    t.is((await logIn(app, email, PASSWORD, newIp())).status, 200, 'the password did not change');
  });

  it('avatar uploads and exports share a per-user budget (RATE_LIMIT_ACCOUNT_MAX=3); past it 429, and another user is not limited', async (t, app) => {
    const ann = await account(app);
    const bob = await account(app);
    const exported = (token: string) => call(app, '/api/users/me/export', { method: 'GET', token });
    const first = await exported(ann.token);
    t.is(first.status, 200);
    t.is(first.headers.get('x-ratelimit-limit'), '3');
    t.is(first.headers.get('x-ratelimit-remaining'), '2');
    const uploaded = await upload(app, ann.token, form(png(2, 2)));
    t.is(uploaded.status, 200);
    t.is(uploaded.headers.get('x-ratelimit-remaining'), '1');
    const avatarUrl = ((await uploaded.json()) as { avatarUrl: string }).avatarUrl;
    t.is((await exported(ann.token)).status, 200);
    await assertRateLimited(t, await exported(ann.token), '3');
    await assertRateLimited(t, await upload(app, ann.token, form(png(3, 3))), '3');
    // Counted before the body is read: an upload over AVATAR_MAX_BYTES is refused for the limit, not its size.
    await assertRateLimited(t, await upload(app, ann.token, form(Buffer.alloc(64 * 1024))), '3');
    const me = (await (await app.request('/api/users/me', { token: ann.token })).json()) as { avatarUrl: string };
    t.is(me.avatarUrl, avatarUrl, 'the refused upload changed nothing');
    const other = await exported(bob.token);
    t.is(other.status, 200);
    t.is(other.headers.get('x-ratelimit-remaining'), '2');
    t.is((await upload(app, bob.token, form(png(2, 2)))).status, 200);
  });

  it('an IPv6 client is counted by its /64: addresses of one /64 share one auth budget, another /64 has its own', async (t, app) => {
    const prefix = newPrefix();
    const sameHost = [
      `${prefix}:2::1`,
      `${prefix}:2:ffff::9`,
      `${prefix.replace('2001:db8', '2001:0DB8')}:0002:0:0:0:abc`,
      `${prefix}:2::42`,
      `${prefix}:2:1:2:3:4`,
      `${prefix}:2::5`,
    ];
    for (const [i, ip] of sameHost.entries()) {
      const res = await logIn(app, uniqueEmail(), PASSWORD, ip);
      t.is(res.status, 401, ip);
      t.is(res.headers.get('x-ratelimit-remaining'), String(5 - i), ip);
    }
    await assertRateLimited(t, await logIn(app, uniqueEmail(), PASSWORD, `${prefix}:2::77`), '6');
    await assertRateLimited(
      t,
      await call(app, '/api/auth/signup', { json: { username: 'A', email: uniqueEmail(), password: PASSWORD }, ip: `${prefix}:2:dead::1` }),
      '6',
    );
    const next = await logIn(app, uniqueEmail(), PASSWORD, `${prefix}:3::1`);
    t.is(next.status, 401, 'the next /64 is another client');
    t.is(next.headers.get('x-ratelimit-remaining'), '5');
  });

  it('an IPv4 client seen as ::ffff:a.b.c.d spends its IPv4 budget; IPv4 clients stay per address', async (t, app) => {
    const ip = newIp();
    for (let i = 0; i < 3; i++) t.is((await logIn(app, uniqueEmail(), PASSWORD, ip)).status, 401);
    for (let i = 0; i < 3; i++) t.is((await logIn(app, uniqueEmail(), PASSWORD, `::ffff:${ip}`)).status, 401);
    await assertRateLimited(t, await logIn(app, uniqueEmail(), PASSWORD, ip), '6');
    t.is((await logIn(app, uniqueEmail(), PASSWORD, newIp())).status, 401, 'the next IPv4 address is another client');
  });

  it('failed logins per account and IP count an IPv6 client by its /64; the owner from another /64 is let in', async (t, app) => {
    const { email } = await account(app);
    const prefix = newPrefix();
    for (let i = 1; i <= 3; i++) t.is((await logIn(app, email, 'wrong password', `${prefix}:5::${i}`)).status, 401);
    const refused = await logIn(app, email, PASSWORD, `${prefix}:5:abcd::1`);
    t.is(refused.status, 429, 'another address of the same /64, right password');
    t.like(await refused.json(), { code: 'RATE_LIMITED' });
    t.is((await logIn(app, email, PASSWORD, `${prefix}:6::1`)).status, 200, 'the owner from another /64');
  });
}
