import test, { type ExecutionContext } from 'ava';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Middleware } from 'koa';
import { createApp } from '../../src/adapters/http/app.js';
import { NO_RATE_LIMITS, type RateLimiters } from '../../src/adapters/http/middleware/rate-limit.js';
import { HttpProblem } from '../../src/adapters/http/problem.js';
import type { UseCases } from '../../src/application/use-cases.js';
import { ServiceUnavailable } from '../../src/domain/errors.js';
import { fakeWorld } from '../fakes/fake-world.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, PASSWORD, signUpAndLogIn, uniqueEmail, type TestApp } from '../helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase';

function assertPage(t: ExecutionContext, res: Response, status: number): void {
  t.is(res.status, status);
  t.is(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assertPageHeaders(t, res);
}

function assertPageHeaders(t: ExecutionContext, res: Response): void {
  t.is(res.headers.get('referrer-policy'), 'no-referrer');
  const csp = res.headers.get('content-security-policy') ?? '';
  t.regex(csp, /frame-ancestors 'none'/);
  t.regex(csp, /default-src 'none'/);
  t.is(res.headers.get('cache-control'), 'no-store');
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
}

/** Posts an HTML form, then waits for the emails it queued to be delivered, as `app.request` does. */
async function postForm(app: { url: string; flushOutbox?: () => Promise<void> }, path: string, fields: Record<string, string>): Promise<Response> {
  const response = await fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  await app.flushOutbox?.();
  return response;
}

async function resetToken(app: TestApp, email: string): Promise<string> {
  await app.request('/api/auth/forgot-password', { method: 'POST', json: { email } });
  return app.mailer.lastToken('password-reset', email);
}

eachBackend(BACKENDS, (it) => {
  it('the forgot-password page is a labelled form posting to itself, with the page headers and the shared stylesheet', async (t, app) => {
    const res = await app.request('/account/forgot-password');
    assertPage(t, res, 200);
    const body = await res.text();
    t.regex(body, /<html lang="en">/);
    t.regex(body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    t.regex(body, /<link rel="stylesheet" href="style.css">/);
    t.regex(body, /<form method="post" action="forgot-password">/);
    t.regex(body, /<label for="email">Email address<\/label>/);
    t.regex(body, /<input id="email" name="email" type="email" autocomplete="email" required/);
    t.notRegex(body, /<script/i);
  });

  it('the stylesheet is served as CSS from /account/style.css, the only style source the CSP allows', async (t, app) => {
    const res = await app.request('/account/style.css');
    t.is(res.status, 200);
    t.is(res.headers.get('content-type'), 'text/css; charset=utf-8');
    t.regex(await res.text(), /main \{/);
    t.regex(res.headers.get('content-security-policy') ?? '', /style-src 'self'/);
  });

  it('posting the forgot-password form shows the same "check your inbox" page for a known and an unknown email', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    const known = await postForm(app, '/account/forgot-password', { email });
    const unknown = await postForm(app, '/account/forgot-password', { email: uniqueEmail('nobody') });
    assertPage(t, known, 200);
    assertPage(t, unknown, 200);
    const body = await known.text();
    t.is(body, await unknown.text());
    t.regex(body, /Check your inbox/);
    t.is(app.mailer.to(email).filter((e) => e.kind === 'password-reset').length, 1);
  });

  it('posting the forgot-password form with a malformed email answers 422 with the error shown and the input escaped', async (t, app) => {
    const res = await postForm(app, '/account/forgot-password', { email: '"><script>alert(1)</script>' });
    assertPage(t, res, 422);
    const body = await res.text();
    t.regex(body, /role="alert"/);
    t.regex(body, /Email address must be a valid email address\./);
    t.regex(body, /aria-invalid="true"/);
    t.regex(body, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
    t.notRegex(body, /<script>/);
  });

  it('a form the page cannot read answers a page (415, 413), never problem+json', async (t, app) => {
    const text = await app.request('/account/forgot-password', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=a@b.c' });
    assertPage(t, text, 415);
    t.regex(await text.text(), /We could not read this form/);
    const big = await postForm(app, '/account/forgot-password', { email: 'x'.repeat(1_100_000) });
    assertPage(t, big, 413);
    const resend = await app.request('/account/resend-verification', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email"' });
    assertPage(t, resend, 400);
  });

  it('the reset page opens the form for a live link without using it up', async (t, app) => {
    const { email, userId } = await signUpAndLogIn(app);
    const token = await resetToken(app, email);
    for (let i = 0; i < 2; i++) {
      const res = await app.request(`/account/reset-password?token=${token}`);
      assertPage(t, res, 200);
      const body = await res.text();
      t.regex(body, /<form method="post" action="reset-password">/);
      t.true(body.includes(`<input type="hidden" name="token" value="${token}">`));
      t.regex(body, /<label for="password">New password<\/label>/);
      t.regex(body, /<label for="passwordConfirm">Confirm new password<\/label>/);
      t.regex(body, /name="password" type="password" autocomplete="new-password" required/);
      t.false(body.includes(email));
    }
    const rows = await app.db.knex('one_time_tokens').where({ userId, purpose: 'reset-password' });
    t.true(rows.every((r: { consumedAt: Date | null }) => r.consumedAt === null));
  });

  it('a missing, made-up or used reset link answers 400 with a friendly page linking to forgot-password and nothing about the user', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    const token = await resetToken(app, email);
    t.is((await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password: NEW_PASSWORD } })).status, 204);
    const pages: string[] = [];
    const paths = [
      '/account/reset-password',
      '/account/reset-password?token=made-up',
      `/account/reset-password?token=${token}`,
      '/account/reset-password?token=a&token=b',
    ];
    for (const path of paths) {
      const res = await app.request(path);
      assertPage(t, res, 400);
      pages.push(await res.text());
    }
    t.regex(pages[0]!, /<a href="forgot-password">/);
    t.regex(pages[0]!, /invalid, has already been used, or has expired/);
    for (const page of pages) t.is(page, pages[0]!);
    t.false(pages.some((p) => p.includes(email) || p.includes('Someone')));
  });

  it('posting the reset form with two different passwords shows the form again with the error, and the link stays usable', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    const token = await resetToken(app, email);
    const res = await postForm(app, '/account/reset-password', { token, password: NEW_PASSWORD, passwordConfirm: 'something else entirely' });
    assertPage(t, res, 422);
    const body = await res.text();
    t.regex(body, /The two passwords do not match\./);
    t.true(body.includes(`value="${token}"`));
    t.false(body.includes(NEW_PASSWORD));
    t.is((await app.request(`/account/reset-password?token=${token}`)).status, 200);
  });

  it('posting the reset form with a weak password shows the policy error, and the link stays usable', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    const token = await resetToken(app, email);
    const res = await postForm(app, '/account/reset-password', { token, password: 'password1', passwordConfirm: 'password1' });
    assertPage(t, res, 422);
    t.regex(await res.text(), /New password is too common/);
    const empty = await postForm(app, '/account/reset-password', { token, password: '', passwordConfirm: '' });
    assertPage(t, empty, 422);
    t.regex(await empty.text(), /New password is required\./);
    t.is((await app.request(`/account/reset-password?token=${token}`)).status, 200);
  });

  it('posting the reset form with a good password shows success; the old sessions end and the new password logs in', async (t, app) => {
    const { email, accessToken } = await signUpAndLogIn(app);
    const token = await resetToken(app, email);
    const res = await postForm(app, '/account/reset-password', { token, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
    assertPage(t, res, 200);
    t.regex(await res.text(), /Your password was changed/);
    t.is((await app.request('/api/users/me', { token: accessToken })).status, 401);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: NEW_PASSWORD } })).status, 200);
    t.truthy(app.mailer.last('password-changed', email));

    const again = await postForm(app, '/account/reset-password', { token, password: 'third fine passphrase', passwordConfirm: 'third fine passphrase' });
    assertPage(t, again, 400);
    t.regex(await again.text(), /<a href="forgot-password">/);
    const missing = await postForm(app, '/account/reset-password', { password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
    assertPage(t, missing, 400);
  });

  it('the verification page confirms the email, twice alike, and login then works', async (t, app) => {
    const email = uniqueEmail('page');
    await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Page', email, password: PASSWORD } });
    const token = app.mailer.lastToken('verify-email', email);
    for (let i = 0; i < 2; i++) {
      const res = await app.request(`/account/verify-email?token=${token}`);
      assertPage(t, res, 200);
      t.regex(await res.text(), /Your email address is confirmed/);
    }
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD } })).status, 200);
  });

  it('a bad verification link answers 400 with a form posting to resend-verification', async (t, app) => {
    for (const path of ['/account/verify-email?token=made-up', '/account/verify-email']) {
      const res = await app.request(path);
      assertPage(t, res, 400);
      const body = await res.text();
      t.regex(body, /This link cannot be used/);
      t.regex(body, /<form method="post" action="resend-verification">/);
      t.regex(body, /<label for="email">Email address<\/label>/);
    }
  });

  it('the resend form sends a new link and shows "check your inbox" alike for every email; a malformed one answers 422', async (t, app) => {
    const email = uniqueEmail('again');
    await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Again', email, password: PASSWORD } });
    const form = await app.request('/account/resend-verification');
    assertPage(t, form, 200);
    t.regex(await form.text(), /Get a new confirmation link/);

    const unknown = await postForm(app, '/account/resend-verification', { email: uniqueEmail('nobody') });
    assertPage(t, unknown, 200);
    t.regex(await unknown.text(), /Check your inbox/);
    const bad = await postForm(app, '/account/resend-verification', { email: 'nope' });
    assertPage(t, bad, 422);
    t.regex(await bad.text(), /Email address must be a valid email address\./);
  });

  it('every response under /account carries the page headers, unknown addresses and wrong methods included', async (t, app) => {
    for (const [path, method] of [
      ['/account/nothing', 'GET'],
      ['/account/forgot-password', 'DELETE'],
      ['/account', 'GET'],
    ] as const) {
      const res = await app.request(path, { method });
      t.true(res.status >= 400);
      assertPageHeaders(t, res);
    }
    t.is((await app.request('/health')).headers.get('referrer-policy'), null);
  });
});

/** An app over in-memory fakes, with use-cases and rate limits a test may replace. */
async function fakeApp(t: ExecutionContext, change: { useCases?: Partial<UseCases>; rateLimits?: Partial<RateLimiters> } = {}) {
  const world = fakeWorld();
  const logger = new CapturingLogger();
  const app = createApp({
    useCases: { ...world.useCases, ...change.useCases },
    logger,
    trustProxy: false,
    rateLimits: { ...NO_RATE_LIMITS, ...change.rateLimits },
  });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logger };
}

test('a rate limit that throws on a page form answers a 429 page keeping Retry-After', async (t) => {
  const limit: Middleware = () => {
    throw new HttpProblem(429, 'RATE_LIMITED', 'Too many requests.', { 'Retry-After': '7' });
  };
  const app = await fakeApp(t, { rateLimits: { auth: limit } });
  for (const path of ['/account/forgot-password', '/account/resend-verification']) {
    const res = await postForm(app, path, { email: 'ann@example.com' });
    assertPage(t, res, 429);
    t.is(res.headers.get('retry-after'), '7');
    t.regex(await res.text(), /Too many attempts/);
  }
});

test('a rate limit that answers 429 itself on a page form is turned into a page too', async (t) => {
  const limit: Middleware = (ctx) => {
    ctx.status = 429;
    ctx.set('Retry-After', '3');
    ctx.body = { message: 'slow down' };
  };
  const app = await fakeApp(t, { rateLimits: { auth: limit } });
  const res = await postForm(app, '/account/forgot-password', { email: 'ann@example.com' });
  assertPage(t, res, 429);
  t.is(res.headers.get('retry-after'), '3');
  t.notRegex(await res.text(), /slow down/);
});

test('a database outage on a page answers a 503 page; an unexpected failure a 500 page that is logged and shows nothing of it', async (t) => {
  const app = await fakeApp(t, {
    useCases: {
      checkResetToken: async () => {
        throw new ServiceUnavailable('database');
      },
      verifyEmail: async () => {
        throw new Error('secret internals at line 42');
      },
    },
  });
  const down = await fetch(`${app.url}/account/reset-password?token=abc`);
  assertPage(t, down, 503);
  t.regex(await down.text(), /Please try again shortly/);
  const broken = await fetch(`${app.url}/account/verify-email?token=abc`);
  assertPage(t, broken, 500);
  t.notRegex(await broken.text(), /secret internals/);
  t.true(app.logger.lines.some((l) => l.level === 'error'));
});
