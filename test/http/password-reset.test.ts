import { createHash } from 'node:crypto';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, PASSWORD, signUpAndLogIn, uniqueEmail, type TestApp } from '../helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase';

async function forgot(app: TestApp, email: unknown, headers: Record<string, string> = {}) {
  return app.request('/api/auth/forgot-password', { method: 'POST', json: { email }, headers });
}

async function resetTokenRows(app: TestApp, userId: string) {
  return app.db.knex('one_time_tokens').where({ userId, purpose: 'reset-password' }) as Promise<
    { tokenHash: string; consumedAt: Date | null; expiresAt: Date; createdAt: Date }[]
  >;
}

eachBackend(BACKENDS, (it) => {
  it('forgot-password answers the same 202 and body for a known and an unknown email, and emails only the known one', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    const known = await forgot(app, email.toUpperCase());
    const unknown = await forgot(app, uniqueEmail('nobody'));
    t.is(known.status, 202);
    t.is(unknown.status, 202);
    t.is(known.headers.get('cache-control'), 'no-store');
    t.deepEqual(await known.json(), await unknown.json());
    t.is(app.mailer.to(email).filter((e) => e.kind === 'password-reset').length, 1);
  });

  it('forgot-password stores only a hash of a 256-bit token expiring after RESET_TOKEN_TTL_S, and builds the link from PUBLIC_URL whatever the Host', async (t, app) => {
    const { email, userId } = await signUpAndLogIn(app);
    const res = await forgot(app, email, { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' });
    t.is(res.status, 202);
    const mail = app.mailer.last('password-reset', email);
    t.true(mail && 'link' in mail && mail.link.startsWith('http://app.test/account/reset-password?token='));
    const token = app.mailer.lastToken('password-reset', email);
    t.is(Buffer.from(token, 'base64url').length, 32);
    const [row, ...others] = await resetTokenRows(app, userId);
    t.is(others.length, 0);
    t.is(row!.tokenHash, createHash('sha256').update(token).digest('hex'));
    t.is(new Date(row!.expiresAt).getTime() - new Date(row!.createdAt).getTime(), 3600 * 1000);
  });

  it('forgot-password sends at most one email per address per minute, still answering 202', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    for (let i = 0; i < 3; i++) t.is((await forgot(app, email)).status, 202);
    t.is(app.mailer.to(email).filter((e) => e.kind === 'password-reset').length, 1);
  });

  it('forgot-password with a malformed email answers 422; a body that is not JSON 415; broken JSON 400', async (t, app) => {
    const bad = await forgot(app, 'not-an-email');
    t.is(bad.status, 422);
    t.is(bad.headers.get('content-type'), 'application/problem+json');
    t.like(await bad.json(), { code: 'VALIDATION_FAILED', errors: [{ field: 'email' }] });
    const text = await app.request('/api/auth/forgot-password', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a@b.c' });
    t.is(text.status, 415);
    const broken = await app.request('/api/auth/forgot-password', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email"' });
    t.is(broken.status, 400);
  });

  it('reset-password answers 204; then every old access and refresh token is refused, the old password too, and the new one works', async (t, app) => {
    const first = await signUpAndLogIn(app);
    const second = (await (await app.request('/api/auth/login', { method: 'POST', json: { email: first.email, password: PASSWORD } })).json()) as typeof first;
    t.is((await app.request('/api/users/me', { token: first.accessToken })).status, 200);
    await forgot(app, first.email);
    const token = app.mailer.lastToken('password-reset', first.email);

    const res = await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password: NEW_PASSWORD } });
    t.is(res.status, 204);
    t.is(res.headers.get('cache-control'), 'no-store');
    t.is(await res.text(), '');

    for (const session of [first, second]) {
      t.is((await app.request('/api/users/me', { token: session.accessToken })).status, 401);
      t.is((await app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken: session.refreshToken } })).status, 401);
    }
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email: first.email, password: PASSWORD } })).status, 401);
    const login = await app.request('/api/auth/login', { method: 'POST', json: { email: first.email, password: NEW_PASSWORD } });
    t.is(login.status, 200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    t.is((await app.request('/api/users/me', { token: accessToken })).status, 200);

    const sessions = await app.db.knex('sessions').where({ userId: first.userId });
    t.is(sessions.filter((s: { revokedAt: Date | null }) => s.revokedAt === null).length, 1); // only the new login
    t.true((await resetTokenRows(app, first.userId)).every((r) => r.consumedAt !== null));
  });

  it('reset-password sends a "password changed" email without the password', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    await forgot(app, email);
    await app.request('/api/auth/reset-password', { method: 'POST', json: { token: app.mailer.lastToken('password-reset', email), password: NEW_PASSWORD } });
    const changed = app.mailer.last('password-changed', email);
    t.truthy(changed);
    t.false(JSON.stringify(changed).includes(NEW_PASSWORD));
  });

  it('reset-password with a used, made-up, missing or verification token answers 400 INVALID_TOKEN with one generic message', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    await forgot(app, email);
    const token = app.mailer.lastToken('password-reset', email);
    t.is((await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password: NEW_PASSWORD } })).status, 204);

    const verifyToken = app.mailer.lastToken('verify-email', email);
    const bodies = [];
    for (const tried of [token, 'made-up', undefined, 42, verifyToken]) {
      const res = await app.request('/api/auth/reset-password', { method: 'POST', json: { token: tried, password: 'another fine passphrase' } });
      t.is(res.status, 400);
      t.is(res.headers.get('content-type'), 'application/problem+json');
      bodies.push(await res.json());
    }
    t.like(bodies[0], { status: 400, code: 'INVALID_TOKEN' });
    for (const body of bodies) t.deepEqual(body, bodies[0]);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: NEW_PASSWORD } })).status, 200);
  });

  it('reset-password with a weak password answers 422 naming the field, and the link still works afterwards', async (t, app) => {
    const { email, accessToken } = await signUpAndLogIn(app);
    await forgot(app, email);
    const token = app.mailer.lastToken('password-reset', email);
    for (const password of ['short', 'password123', 'é'.repeat(37)]) {
      const res = await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password } });
      t.is(res.status, 422);
      t.like(await res.json(), { code: 'VALIDATION_FAILED', errors: [{ field: 'password' }] });
    }
    t.is((await app.request('/api/users/me', { token: accessToken })).status, 200);
    t.is((await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password: NEW_PASSWORD } })).status, 204);
  });

  it('an expired reset link answers 400 INVALID_TOKEN on the API and the page alike, and the password stays', async (t, app) => {
    const { email, userId } = await signUpAndLogIn(app);
    await forgot(app, email);
    const token = app.mailer.lastToken('password-reset', email);
    await app.db
      .knex('one_time_tokens')
      .where({ userId, purpose: 'reset-password' })
      .update({ expiresAt: new Date(Date.now() - 1) });
    const late = await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password: NEW_PASSWORD } });
    t.is(late.status, 400);
    t.like(await late.json(), { code: 'INVALID_TOKEN' });
    t.is((await app.request(`/account/reset-password?token=${token}`)).status, 400);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD } })).status, 200);
  });

  it('two concurrent resets with the same link: one 204, one 400', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    await forgot(app, email);
    const token = app.mailer.lastToken('password-reset', email);
    const statuses = await Promise.all(
      ['first fine passphrase', 'second fine passphrase'].map(
        async (password) => (await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password } })).status,
      ),
    );
    t.deepEqual(statuses.sort(), [204, 400]);
  });

  it('forgot-password answers 202 and reset-password 204 when the email cannot be sent; each failure is logged with the user id', async (t, app) => {
    const ann = await signUpAndLogIn(app);
    const bob = await signUpAndLogIn(app);
    await forgot(app, bob.email);
    const token = app.mailer.lastToken('password-reset', bob.email);
    app.mailer.failingFor.add(ann.email).add(bob.email);
    t.is((await forgot(app, ann.email)).status, 202);
    t.is((await app.request('/api/auth/reset-password', { method: 'POST', json: { token, password: NEW_PASSWORD } })).status, 204);
    await app.flushOutbox();
    const warnedFor = app.logger.lines.filter((l) => l.level === 'warn').map((l) => (l.fields as { userId?: string }).userId);
    t.true(warnedFor.includes(ann.userId));
    t.true(warnedFor.includes(bob.userId));
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email: bob.email, password: NEW_PASSWORD } })).status, 200);
  });
});
