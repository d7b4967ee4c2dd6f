import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, PASSWORD, signUpAndLogIn, uniqueEmail } from '../helpers/test-app.js';

eachBackend(BACKENDS, (it) => {
  it('signup answers 201 with the user and never its hash; unknown fields are ignored', async (t, app) => {
    const email = uniqueEmail('zoe');
    const res = await app.request('/api/auth/signup', {
      method: 'POST',
      json: { username: 'Zoë 😀', email, password: PASSWORD, emailVerified: true, id: 'mine' },
    });
    t.is(res.status, 201);
    t.is(res.headers.get('cache-control'), 'no-store');
    const { user } = (await res.json()) as { user: Record<string, unknown> };
    t.deepEqual(Object.keys(user).sort(), ['avatarUrl', 'createdAt', 'email', 'emailVerified', 'id', 'username']);
    t.is(user.username, 'Zoë 😀');
    t.false(user.emailVerified);
    t.not(user.id, 'mine');
    t.is(app.mailer.to(email).length, 1);
  });

  it('signup with a taken email in another case answers 409 EMAIL_TAKEN', async (t, app) => {
    const email = uniqueEmail('a');
    await app.request('/api/auth/signup', { method: 'POST', json: { username: 'A', email, password: PASSWORD } });
    const res = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'B', email: email.toUpperCase(), password: PASSWORD } });
    t.is(res.status, 409);
    t.is(res.headers.get('content-type'), 'application/problem+json');
    t.like(await res.json(), { status: 409, code: 'EMAIL_TAKEN', type: 'about:blank' });
  });

  it('signup with invalid fields answers 422 naming each field', async (t, app) => {
    const res = await app.request('/api/auth/signup', { method: 'POST', json: { username: 5, email: 'nope', password: 'password1' } });
    t.is(res.status, 422);
    const body = (await res.json()) as { code: string; errors: { field: string }[] };
    t.is(body.code, 'VALIDATION_FAILED');
    t.deepEqual(body.errors.map((e) => e.field).sort(), ['email', 'password', 'username']);
  });

  it('malformed JSON is 400, another content type 415, a body over 1 MB 413, all problem+json', async (t, app) => {
    const bad = await app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    t.is(bad.status, 400);
    t.like(await bad.json(), { code: 'MALFORMED_BODY' });
    const text = await app.request('/api/auth/signup', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    t.is(text.status, 415);
    const big = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'x'.repeat(1_100_000) } });
    t.is(big.status, 413);
    t.is(big.headers.get('content-type'), 'application/problem+json');
    const array = await app.request('/api/auth/signup', { method: 'POST', json: [1, 2] });
    t.is(array.status, 400);
  });

  it('verify-email answers 200 twice for the emailed link and 400 for a made-up one', async (t, app) => {
    const email = uniqueEmail('v');
    await app.request('/api/auth/signup', { method: 'POST', json: { username: 'A', email, password: PASSWORD } });
    const token = app.mailer.lastToken('verify-email', email);
    for (let i = 0; i < 2; i++) {
      const res = await app.request(`/api/auth/verify-email?token=${token}`);
      t.is(res.status, 200);
      const body = (await res.json()) as { message: string; user: { emailVerified: boolean } };
      t.true(body.user.emailVerified);
      t.truthy(body.message);
    }
    const bad = await app.request('/api/auth/verify-email?token=nope');
    t.is(bad.status, 400);
    t.like(await bad.json(), { code: 'INVALID_TOKEN' });
    t.is((await app.request('/api/auth/verify-email')).status, 400);
  });

  it('resend-verification answers the same 202 for every email', async (t, app) => {
    const email = uniqueEmail('r');
    await app.request('/api/auth/signup', { method: 'POST', json: { username: 'A', email, password: PASSWORD } });
    const known = await app.request('/api/auth/resend-verification', { method: 'POST', json: { email } });
    const unknown = await app.request('/api/auth/resend-verification', { method: 'POST', json: { email: 'nobody@example.com' } });
    t.is(known.status, 202);
    t.is(unknown.status, 202);
    t.deepEqual(await known.json(), await unknown.json());
    t.is(app.mailer.to(email).length, 1); // within the minute: no second email
  });

  it('login: 401 alike for unknown email and wrong password, 403 unverified only with the right password, 200 with tokens', async (t, app) => {
    const email = uniqueEmail('l');
    await app.request('/api/auth/signup', { method: 'POST', json: { username: 'A', email, password: PASSWORD } });
    const unknown = await app.request('/api/auth/login', { method: 'POST', json: { email: uniqueEmail('x'), password: PASSWORD } });
    const wrong = await app.request('/api/auth/login', { method: 'POST', json: { email, password: 'not the password' } });
    t.is(unknown.status, 401);
    t.is(wrong.status, 401);
    t.is(unknown.headers.get('www-authenticate'), 'Bearer');
    t.deepEqual(await unknown.json(), await wrong.json());
    const unverified = await app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD } });
    t.is(unverified.status, 403);
    t.like(await unverified.json(), { code: 'EMAIL_NOT_VERIFIED' });

    await app.request(`/api/auth/verify-email?token=${app.mailer.lastToken('verify-email', email)}`);
    const ok = await app.request('/api/auth/login', { method: 'POST', json: { email: email.toUpperCase(), password: PASSWORD } });
    t.is(ok.status, 200);
    t.like(await ok.json(), { tokenType: 'Bearer', expiresIn: 900 });
  });

  it('login also takes the OAuth2 password form (username=email)', async (t, app) => {
    const { email } = await signUpAndLogIn(app);
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: email, password: PASSWORD, grant_type: 'password' }).toString(),
    });
    t.is(res.status, 200);
    t.truthy(((await res.json()) as { accessToken: string }).accessToken);
  });

  it('/api/users/me answers the user for a Bearer token and 401 otherwise', async (t, app) => {
    const { accessToken, refreshToken, email } = await signUpAndLogIn(app);
    const me = await app.request('/api/users/me', { token: accessToken });
    t.is(me.status, 200);
    t.like(await me.json(), { email, emailVerified: true });
    for (const token of [undefined, 'garbage', refreshToken]) {
      const res = await app.request('/api/users/me', token ? { token } : {});
      t.is(res.status, 401);
      t.is(res.headers.get('www-authenticate'), 'Bearer');
      t.like(await res.json(), { code: 'UNAUTHENTICATED' });
    }
    const query = await app.request(`/api/users/me?access_token=${accessToken}`);
    t.is(query.status, 401);
  });

  it('refresh rotates, and a replayed refresh token answers 401 and revokes the session', async (t, app) => {
    const first = await signUpAndLogIn(app);
    const res = await app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken: first.refreshToken } });
    t.is(res.status, 200);
    const second = (await res.json()) as { accessToken: string; refreshToken: string };
    const replay = await app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken: first.refreshToken } });
    t.is(replay.status, 401);
    t.is((await app.request('/api/users/me', { token: second.accessToken })).status, 401);
    t.is((await app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken: second.refreshToken } })).status, 401);
  });

  it('logout answers 204 and both tokens of the session stop working at once; other sessions live on', async (t, app) => {
    const one = await signUpAndLogIn(app);
    const other = (await (await app.request('/api/auth/login', { method: 'POST', json: { email: one.email, password: PASSWORD } })).json()) as {
      accessToken: string;
    };
    t.is((await app.request('/api/users/me', { token: one.accessToken })).status, 200);
    const out = await app.request('/api/auth/logout', { method: 'POST', token: one.accessToken, json: { refreshToken: one.refreshToken } });
    t.is(out.status, 204);
    t.is((await app.request('/api/users/me', { token: one.accessToken })).status, 401);
    t.is((await app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken: one.refreshToken } })).status, 401);
    t.is((await app.request('/api/users/me', { token: other.accessToken })).status, 200);
    t.is((await app.request('/api/auth/logout', { method: 'POST', json: { refreshToken: one.refreshToken } })).status, 401);
  });

  it('unknown routes answer 404 and wrong methods 405, as problem+json with nosniff', async (t, app) => {
    const missing = await app.request('/api/nothing');
    t.is(missing.status, 404);
    t.is(missing.headers.get('content-type'), 'application/problem+json');
    t.is(missing.headers.get('x-content-type-options'), 'nosniff');
    t.is(missing.headers.get('x-powered-by'), null);
    const method = await app.request('/api/auth/signup', { method: 'DELETE' });
    t.is(method.status, 405);
  });
});

eachBackend(BACKENDS, (it) => {
  it('/health answers 200 and /ready 200 while the database answers', async (t, app) => {
    t.is((await app.request('/health')).status, 200);
    const ready = await app.request('/ready');
    t.is(ready.status, 200);
    t.like(await ready.json(), { checks: { database: 'ok' } });
  });
});
