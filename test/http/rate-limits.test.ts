import test, { type ExecutionContext } from 'ava';
import Router from '@koa/router';
import Koa from 'koa';
import { errorHandler } from '../../src/adapters/http/middleware/error-handler.js';
import { requireAuth } from '../../src/adapters/http/middleware/require-auth.js';
import type { Container } from '../../src/infrastructure/container.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { serve } from '../helpers/servers.js';
import { PASSWORD, randomRedisPrefix, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

const LIMITS = {
  RATE_LIMIT_AUTH_MAX: '3',
  RATE_LIMIT_LOGIN_FAILURES_MAX: '3',
  RATE_LIMIT_CONTACTS_MAX: '5',
  RATE_LIMIT_CONTACT_CREATE_MAX: '2',
  // A generous Redis bound: on a loaded machine a slow answer would fail open (by design) and hide the limit.
  REDIS_TIMEOUT_MS: '5000',
};

let ipCounter = 0;
/** A client address no other test of this file uses (behind TRUST_PROXY=true). */
const newIp = () => `198.51.100.${++ipCounter}`;

type Stores = Array<{ name: 'memory' | 'redis'; env: Record<string, string>; available: () => Promise<boolean> }>;
const STORES: Stores = [
  { name: 'memory', env: {}, available: async () => true },
  { name: 'redis', env: { REDIS_URL: TEST_REDIS_URL }, available: redisAvailable },
];

const post = (app: TestApp, path: string, json: unknown, ip?: string) =>
  app.request(path, { method: 'POST', json, headers: ip ? { 'x-forwarded-for': ip } : {} });
const logIn = (app: TestApp, email: string, password: string, ip: string) => post(app, '/api/auth/login', { email, password }, ip);

/** A verified account, created from an address of its own so no test's budget is spent. */
async function verifiedAccount(app: TestApp, email = uniqueEmail()) {
  const signup = await post(app, '/api/auth/signup', { username: 'Someone', email, password: PASSWORD }, newIp());
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  const verify = await app.request(`/api/auth/verify-email?token=${app.mailer.lastToken('verify-email', email)}`);
  if (verify.status !== 200) throw new Error(`verify answered ${verify.status}`);
  return email;
}

async function accessToken(app: TestApp): Promise<string> {
  const email = await verifiedAccount(app);
  const res = await logIn(app, email, PASSWORD, newIp());
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function assertRateLimited(t: ExecutionContext, res: Response, limit?: string) {
  t.is(res.status, 429);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  t.is(res.headers.get('cache-control'), 'no-store');
  t.regex(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  if (limit) {
    t.is(res.headers.get('x-ratelimit-limit'), limit);
    t.is(res.headers.get('x-ratelimit-remaining'), '0');
    t.regex(res.headers.get('x-ratelimit-reset') ?? '', /^\d+$/);
  }
  t.like(await res.json(), { status: 429, code: 'RATE_LIMITED' });
}

/** A stand-in for the contacts routes: authentication, then the container's limiters, as contacts.routes mounts them. */
async function contactsStandIn(container: Container) {
  const koa = new Koa();
  koa.use(errorHandler(new CapturingLogger()));
  const router = new Router();
  const auth = requireAuth(container.useCases.authenticate);
  router.get('/api/contacts', auth, container.rateLimits.contacts, (ctx) => {
    ctx.body = { items: [] };
  });
  router.post('/api/contacts', auth, container.rateLimits.contacts, container.rateLimits.contactCreate, (ctx) => {
    ctx.status = 201;
    ctx.body = {};
  });
  // Two instances of the app see the same user: the caller is taken as given.
  router.get(
    '/as/:userId',
    async (ctx, next) => {
      ctx.state.caller = { user: { id: ctx.params.userId }, sessionId: 's' };
      await next();
    },
    container.rateLimits.contacts,
    (ctx) => {
      ctx.body = {};
    },
  );
  koa.use(router.routes());
  return serve(koa);
}

for (const store of STORES) {
  let proxied: TestApp | undefined;
  let direct: TestApp | undefined;
  let up = true;
  // One after the other: several embedded databases starting at once on a busy machine time out.
  test.serial.before(async () => {
    up = await store.available();
    if (!up) return;
    proxied = await startTestApp({ env: { ...LIMITS, ...store.env, TRUST_PROXY: 'true' } });
    direct = await startTestApp({ env: { ...LIMITS, ...store.env, TRUST_PROXY: 'false' } });
  });
  test.after.always(async () => {
    await proxied?.close();
    await direct?.close();
  });
  const it = (title: string, body: (t: ExecutionContext, app: TestApp, direct: TestApp) => Promise<void>) =>
    test(`[${store.name}] ${title}`, async (t) => {
      if (!up) return t.pass('Redis is not running');
      await body(t, proxied!, direct!);
    });

  it('signup, resend-verification and login share one budget per client IP; past it they answer 429 RATE_LIMITED', async (t, app) => {
    const ip = newIp();
    const email = uniqueEmail();
    const signup = await post(app, '/api/auth/signup', { username: 'A', email, password: PASSWORD }, ip);
    t.is(signup.status, 201);
    t.is(signup.headers.get('x-ratelimit-limit'), '3');
    t.is(signup.headers.get('x-ratelimit-remaining'), '2');
    t.is((await post(app, '/api/auth/resend-verification', { email }, ip)).status, 202);
    const login = await logIn(app, email, 'wrong password', ip);
    t.is(login.status, 401);
    t.is(login.headers.get('x-ratelimit-remaining'), '0');
    await assertRateLimited(t, await post(app, '/api/auth/signup', { username: 'A', email: uniqueEmail(), password: PASSWORD }, ip), '3');
    await assertRateLimited(t, await logIn(app, email, PASSWORD, ip), '3');
    t.is((await logIn(app, email, 'wrong password', newIp())).status, 401);
  });

  it('reset-password (the API and the page form) spends the same per-IP budget as the other auth routes', async (t, app) => {
    const ip = newIp();
    t.is((await post(app, '/api/auth/reset-password', { token: 'made-up', password: PASSWORD }, ip)).status, 400);
    t.is((await post(app, '/api/auth/forgot-password', { email: uniqueEmail() }, ip)).status, 202);
    const form = (token: string) =>
      app.request('/account/reset-password', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
        body: new URLSearchParams({ token, password: PASSWORD, passwordConfirm: PASSWORD }).toString(),
      });
    t.is((await form('made-up')).status, 400);
    await assertRateLimited(t, await post(app, '/api/auth/reset-password', { token: 'made-up', password: PASSWORD }, ip), '3');
    const page = await form('made-up');
    t.is(page.status, 429);
    t.regex(page.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    t.is((await post(app, '/api/auth/reset-password', { token: 'made-up', password: PASSWORD }, newIp())).status, 400, 'another IP is not limited');
  });

  it('a signup refused with 429 creates no account and sends no email', async (t, app) => {
    const ip = newIp();
    for (let i = 0; i < 3; i++) await post(app, '/api/auth/resend-verification', { email: uniqueEmail() }, ip);
    const email = uniqueEmail();
    await assertRateLimited(t, await post(app, '/api/auth/signup', { username: 'A', email, password: PASSWORD }, ip), '3');
    t.is(app.mailer.to(email).length, 0);
    t.is(await app.container.repos.users.findByEmail(email), null);
  });

  it('with TRUST_PROXY=true the client is the address the proxy appended, not one the client wrote before it', async (t, app) => {
    const client = newIp();
    for (let i = 0; i < 3; i++) t.is((await logIn(app, uniqueEmail(), PASSWORD, `203.0.113.${i}, ${client}`)).status, 401);
    await assertRateLimited(t, await logIn(app, uniqueEmail(), PASSWORD, `203.0.113.99, ${client}`));
    t.is((await logIn(app, uniqueEmail(), PASSWORD, `${client}, ${newIp()}`)).status, 401);
  });

  it('with TRUST_PROXY=false X-Forwarded-For is ignored: a new value buys no new budget', async (t, _app, direct) => {
    for (let i = 0; i < 3; i++) t.is((await logIn(direct, uniqueEmail(), PASSWORD, newIp())).status, 401);
    await assertRateLimited(t, await logIn(direct, uniqueEmail(), PASSWORD, newIp()), '3');
  });

  it('failed logins are counted per (account, IP): past the limit that pair answers 429, even with the right password; other IPs and accounts go on', async (t, app) => {
    const email = await verifiedAccount(app);
    const ip = newIp();
    for (let i = 0; i < 3; i++) t.is((await logIn(app, email, 'wrong password', ip)).status, 401);
    await assertRateLimited(t, await logIn(app, email.toUpperCase(), PASSWORD, ip));
    t.is((await logIn(app, email, PASSWORD, newIp())).status, 200, 'the owner from another IP');
    const other = await verifiedAccount(app);
    const ok = await logIn(app, other, PASSWORD, newIp());
    t.is(ok.status, 200);
    t.is(ok.headers.get('x-ratelimit-limit'), '3');
    t.is(ok.headers.get('x-ratelimit-remaining'), '2');
    t.is(ok.headers.get('cache-control'), 'no-store');
  });

  it('eleven wrong passwords from eleven IPs never lock the owner out; past the per-account ceiling the IPs that failed are refused', async (t, app) => {
    const email = await verifiedAccount(app);
    const attackers = Array.from({ length: 11 }, () => newIp());
    for (const ip of attackers) t.true([401, 429].includes((await logIn(app, email, 'wrong password', ip)).status));
    // Ceiling: 3 × RATE_LIMIT_LOGIN_FAILURES_MAX = 9 failures from all IPs; an IP that failed is now refused, right password or not.
    await assertRateLimited(t, await logIn(app, email, PASSWORD, attackers[0]!));
    const owner = await logIn(app, email, PASSWORD, newIp());
    t.is(owner.status, 200, 'the owner, from an IP that has not failed, is let in');
    t.truthy(((await owner.json()) as { accessToken?: string }).accessToken);
    // A fresh attacker IP gets one guess, then joins the refused.
    const fresh = newIp();
    t.is((await logIn(app, email, 'wrong password', fresh)).status, 401);
    await assertRateLimited(t, await logIn(app, email, 'another wrong password', fresh));
  });

  it("the account owner's successful login does not reset an attacker's failures", async (t, app) => {
    const email = await verifiedAccount(app);
    const attackers = Array.from({ length: 8 }, () => newIp());
    for (const ip of attackers) t.is((await logIn(app, email, 'wrong password', ip)).status, 401);
    t.is((await logIn(app, email, PASSWORD, newIp())).status, 200);
    t.is((await logIn(app, email, 'wrong password', newIp())).status, 401, 'the ninth failure reaches the ceiling');
    await assertRateLimited(t, await logIn(app, email, 'wrong password', attackers[0]!));
  });

  it('contacts are limited per user after authentication: one user at the limit does not limit another', async (t, app) => {
    const contacts = await contactsStandIn(app.container);
    try {
      const get = (token?: string) => fetch(`${contacts.url}/api/contacts`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const [ann, bob] = [await accessToken(app), await accessToken(app)];
      for (let i = 0; i < 5; i++) {
        const res = await get(ann);
        t.is(res.status, 200);
        t.is(res.headers.get('x-ratelimit-remaining'), String(4 - i));
      }
      await assertRateLimited(t, await get(ann), '5');
      t.is((await get()).status, 401);
      const other = await get(bob);
      t.is(other.status, 200);
      t.is(other.headers.get('x-ratelimit-remaining'), '4');
    } finally {
      await contacts.close();
    }
  });

  it('the contacts routes count each request once, from the first after login (authenticated from the database) on; a logged-out token spends nothing', async (t, app) => {
    const email = await verifiedAccount(app);
    const login = async () => (await (await logIn(app, email, PASSWORD, newIp())).json()) as { accessToken: string; refreshToken: string };
    const first = await login();
    const remaining = async (path: string, token: string) => {
      const res = await app.request(path, { token });
      t.is(res.status, 200, path);
      await res.arrayBuffer();
      return res.headers.get('x-ratelimit-remaining');
    };
    // The list is a hot read, the birthdays Koa's: both are counted by admission while authenticating.
    t.is(await remaining('/api/contacts', first.accessToken), '4');
    t.is(await remaining('/api/contacts/birthdays', first.accessToken), '3');
    const logout = await app.request('/api/auth/logout', { method: 'POST', token: first.accessToken, json: { refreshToken: first.refreshToken } });
    t.is(logout.status, 204);
    for (let i = 0; i < 3; i++) {
      const refused = await app.request('/api/contacts', { token: first.accessToken });
      t.is(refused.status, 401);
      t.is(refused.headers.get('x-ratelimit-remaining'), null);
      await refused.arrayBuffer();
    }
    const second = await login();
    t.is(await remaining('/api/contacts', second.accessToken), '2', 'the refused requests spent nothing; the budget is the user’s, not the session’s');
  });

  it('creating contacts has its own stricter limit; reading goes on within the general one', async (t, app) => {
    const contacts = await contactsStandIn(app.container);
    try {
      const token = await accessToken(app);
      const call = (method: string) => fetch(`${contacts.url}/api/contacts`, { method, headers: { authorization: `Bearer ${token}` } });
      t.is((await call('POST')).status, 201);
      t.is((await call('POST')).status, 201);
      await assertRateLimited(t, await call('POST'), '2');
      t.is((await call('GET')).status, 200);
    } finally {
      await contacts.close();
    }
  });
}

test.serial('[redis] two instances of the app sharing one Redis share the counts of a user, an IP and an account', async (t) => {
  if (!(await redisAvailable())) return t.pass('Redis is not running');
  const env = { ...LIMITS, REDIS_URL: TEST_REDIS_URL, TRUST_PROXY: 'true' };
  const redisKeyPrefix = randomRedisPrefix();
  const one = await startTestApp({ env, redisKeyPrefix });
  const two = await startTestApp({ env, redisKeyPrefix });
  const standIns = [await contactsStandIn(one.container), await contactsStandIn(two.container)];
  try {
    // One user's contacts budget, spent on both instances.
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${standIns[i % 2]!.url}/as/user-1`)).status);
    t.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    t.is((await fetch(`${standIns[0]!.url}/as/user-2`)).status, 200);

    // One IP's auth budget.
    const ip = newIp();
    t.is((await logIn(one, uniqueEmail(), PASSWORD, ip)).status, 401);
    t.is((await logIn(two, uniqueEmail(), PASSWORD, ip)).status, 401);
    t.is((await logIn(one, uniqueEmail(), PASSWORD, ip)).status, 401);
    t.is((await logIn(two, uniqueEmail(), PASSWORD, ip)).status, 429);

    // One email's failures: the per-account ceiling (9) counts the failures of both instances.
    const email = uniqueEmail();
    const ips = Array.from({ length: 9 }, () => newIp());
    for (const [i, failing] of ips.entries()) t.is((await logIn(i % 2 ? two : one, email, 'wrong password', failing)).status, 401);
    t.is((await logIn(two, email, 'wrong password', ips[0]!)).status, 429);
    t.is((await logIn(one, email, 'wrong password', newIp())).status, 401, 'an IP that has not failed may still try');
  } finally {
    for (const s of standIns) await s.close();
    await one.close();
    await two.close();
  }
});

test.serial('[memory] two instances without Redis keep counts of their own', async (t) => {
  const one = await startTestApp({ env: LIMITS });
  const two = await startTestApp({ env: LIMITS });
  try {
    for (let i = 0; i < 3; i++) await logIn(one, uniqueEmail(), PASSWORD, newIp());
    t.is((await logIn(one, uniqueEmail(), PASSWORD, newIp())).status, 429);
    t.is((await logIn(two, uniqueEmail(), PASSWORD, newIp())).status, 401);
  } finally {
    await one.close();
    await two.close();
  }
});
