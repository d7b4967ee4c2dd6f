import test from 'ava';
import type { Database } from '../../src/infrastructure/database.js';
import { pgliteBackend, postgresAvailable, postgresBackend, redisAvailable, TEST_REDIS_URL, type Backend } from '../helpers/databases.js';
import { png } from '../helpers/images.js';
import { jwtClaims, recordQueries } from '../helpers/queries.js';
import { eachBackend, PASSWORD, randomRedisPrefix, signUpAndLogIn, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';
import { form, upload } from '../helpers/uploads.js';

const NEW_PASSWORD = 'a brand new passphrase';
type Pair = { accessToken: string; refreshToken: string };

async function logIn(app: TestApp, email: string, password = PASSWORD, userAgent = 'Test/1.0'): Promise<Pair> {
  const res = await app.request('/api/auth/login', { method: 'POST', json: { email, password }, headers: { 'User-Agent': userAgent } });
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  return (await res.json()) as Pair;
}

const me = (app: TestApp, token: string) => app.request('/api/users/me', { token });
const refresh = (app: TestApp, refreshToken: string) => app.request('/api/auth/refresh', { method: 'POST', json: { refreshToken } });
const sessionId = (token: string) => jwtClaims(token).sid as string;

async function problem(t: import('ava').ExecutionContext, res: Response, status: number, code: string) {
  t.is(res.status, status);
  t.is(res.headers.get('content-type'), 'application/problem+json');
  t.like(await res.json(), { status, code });
}

/** The whole suite, on the embedded defaults (PGlite, in-process cache) and on PostgreSQL + Redis. */
function suite(it: (title: string, body: (t: import('ava').ExecutionContext, app: TestApp) => Promise<void>) => void) {
  it('PATCH /api/users/me changes the username (and nothing else); an invalid one is 422 naming the field', async (t, app) => {
    const { accessToken, email } = await signUpAndLogIn(app);
    await me(app, accessToken); // cached
    const res = await app.request('/api/users/me', {
      method: 'PATCH',
      token: accessToken,
      json: { username: '  New name ', email: 'x@example.com', emailVerified: false },
    });
    t.is(res.status, 200);
    t.is(res.headers.get('cache-control'), 'no-store');
    t.like(await res.json(), { username: 'New name', email, emailVerified: true });
    t.like(await (await me(app, accessToken)).json(), { username: 'New name', email });
    for (const username of ['', 'x'.repeat(51), 'a\u0000b', 12]) {
      const bad = await app.request('/api/users/me', { method: 'PATCH', token: accessToken, json: { username } });
      t.is(bad.status, 422);
      t.like(await bad.json(), { code: 'VALIDATION_FAILED', errors: [{ field: 'username' }] });
    }
    await problem(t, await app.request('/api/users/me', { method: 'PATCH', json: { username: 'x' } }), 401, 'UNAUTHENTICATED');
    t.is((await app.request('/api/users/me', { method: 'PATCH', token: accessToken, headers: { 'content-type': 'text/plain' }, body: 'x' })).status, 415);
  });

  it('POST /api/users/me/password: a new pair for the caller; the old access token and every other session refused at once; a notice emailed', async (t, app) => {
    const first = await signUpAndLogIn(app);
    const other = await logIn(app, first.email);
    t.is((await me(app, other.accessToken)).status, 200); // cached as live
    t.is((await me(app, first.accessToken)).status, 200);

    const res = await app.request('/api/users/me/password', {
      method: 'POST',
      token: first.accessToken,
      json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    t.is(res.status, 200);
    const pair = (await res.json()) as Pair & { tokenType: string };
    t.is(pair.tokenType, 'Bearer');
    t.is(sessionId(pair.accessToken), sessionId(first.accessToken));

    t.is((await me(app, pair.accessToken)).status, 200);
    t.is((await me(app, first.accessToken)).status, 401);
    t.is((await me(app, other.accessToken)).status, 401);
    t.is((await refresh(app, other.refreshToken)).status, 401);
    t.is((await refresh(app, pair.refreshToken)).status, 200);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email: first.email, password: PASSWORD } })).status, 401);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email: first.email, password: NEW_PASSWORD } })).status, 200);
    t.is(app.mailer.to(first.email).filter((e) => e.kind === 'password-changed').length, 1);
  });

  it('POST /api/users/me/password: a wrong current password is 403 WRONG_PASSWORD; a weak new one 422; both change nothing', async (t, app) => {
    const { accessToken, email } = await signUpAndLogIn(app);
    await problem(
      t,
      await app.request('/api/users/me/password', {
        method: 'POST',
        token: accessToken,
        json: { currentPassword: 'not it at all', newPassword: NEW_PASSWORD },
      }),
      403,
      'WRONG_PASSWORD',
    );
    const weak = await app.request('/api/users/me/password', {
      method: 'POST',
      token: accessToken,
      json: { currentPassword: PASSWORD, newPassword: 'password' },
    });
    t.is(weak.status, 422);
    t.like(await weak.json(), { errors: [{ field: 'newPassword' }] });
    const huge = await app.request('/api/users/me/password', {
      method: 'POST',
      token: accessToken,
      json: { currentPassword: 'x'.repeat(100_000), newPassword: NEW_PASSWORD },
    });
    t.is(huge.status, 403);
    t.is((await me(app, accessToken)).status, 200);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD } })).status, 200);
    t.is(app.mailer.to(email).filter((e) => e.kind === 'password-changed').length, 0);
  });

  it('email change: 202; link to the new address, masked notice to the old; the page does not use the link; confirm switches once and tells the old address', async (t, app) => {
    const { accessToken, email, userId } = await signUpAndLogIn(app);
    const newEmail = uniqueEmail('moved');
    const res = await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail, currentPassword: PASSWORD } });
    t.is(res.status, 202);
    t.like(await (await me(app, accessToken)).json(), { email });

    const link = app.mailer.last('email-change-confirm', newEmail);
    t.true(link && 'link' in link && link.link.startsWith('http://app.test/account/confirm-email-change?token='));
    const requested = app.mailer.last('email-change-requested', email);
    t.truthy(requested);
    t.false(JSON.stringify(requested).includes(newEmail));
    t.true(requested && 'newEmail' in requested && requested.newEmail.includes('***'));
    const token = app.mailer.lastToken('email-change-confirm', newEmail);

    const rows = await app.db.knex('one_time_tokens').where({ userId, purpose: 'change-email' });
    t.is(rows.length, 1);
    t.not(rows[0].tokenHash, token);

    for (let i = 0; i < 2; i++) {
      const page = await app.request(`/account/confirm-email-change?token=${token}`);
      t.is(page.status, 200);
      const text = await page.text();
      t.true(text.includes(newEmail));
      t.true(text.includes('<button type="submit">Confirm</button>'));
    }
    const confirmed = await app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token } });
    t.is(confirmed.status, 200);
    t.like(await confirmed.json(), { user: { id: userId, email: newEmail, emailVerified: true } });
    t.like(await (await me(app, accessToken)).json(), { email: newEmail });
    t.truthy(app.mailer.last('email-changed', email));
    await problem(t, await app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token } }), 400, 'INVALID_TOKEN');
    t.is((await app.request(`/account/confirm-email-change?token=${token}`)).status, 400);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email: newEmail, password: PASSWORD } })).status, 200);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD } })).status, 401);
  });

  it('email change: 409 EMAIL_TAKEN for an address in use, 403 for a wrong password, 422 for a malformed address; an older link dies with a newer request', async (t, app) => {
    const { accessToken, email } = await signUpAndLogIn(app);
    const other = await signUpAndLogIn(app);
    await problem(
      t,
      await app.request('/api/users/me/email', {
        method: 'POST',
        token: accessToken,
        json: { newEmail: other.email.toUpperCase(), currentPassword: PASSWORD },
      }),
      409,
      'EMAIL_TAKEN',
    );
    await problem(
      t,
      await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail: uniqueEmail(), currentPassword: 'wrong password' } }),
      403,
      'WRONG_PASSWORD',
    );
    const bad = await app.request('/api/users/me/email', {
      method: 'POST',
      token: accessToken,
      json: { newEmail: 'not an address', currentPassword: PASSWORD },
    });
    t.is(bad.status, 422);
    t.like(await bad.json(), { errors: [{ field: 'newEmail' }] });

    const first = uniqueEmail('first');
    await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail: first, currentPassword: PASSWORD } });
    const older = app.mailer.lastToken('email-change-confirm', first);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = uniqueEmail('second');
    await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail: second, currentPassword: PASSWORD } });
    await problem(t, await app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token: older } }), 400, 'INVALID_TOKEN');
    t.like(await (await me(app, accessToken)).json(), { email });
    const newer = app.mailer.lastToken('email-change-confirm', second);
    t.is((await app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token: newer } })).status, 200);
  });

  it('confirming an email change kills the reset links sent before it: the API answers 400 and the reset page says the link is invalid', async (t, app) => {
    const { accessToken, email } = await signUpAndLogIn(app);
    t.is((await app.request('/api/auth/forgot-password', { method: 'POST', json: { email } })).status, 202);
    const old = app.mailer.lastToken('password-reset', email);
    t.is((await app.request(`/account/reset-password?token=${old}`)).status, 200, 'the link works before the change');
    const newEmail = uniqueEmail('moved');
    t.is((await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail, currentPassword: PASSWORD } })).status, 202);
    const token = app.mailer.lastToken('email-change-confirm', newEmail);
    t.is((await app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token } })).status, 200);

    const page = await app.request(`/account/reset-password?token=${old}`);
    t.is(page.status, 400);
    t.true((await page.text()).includes('This password reset link is invalid'));
    await problem(t, await app.request('/api/auth/reset-password', { method: 'POST', json: { token: old, password: NEW_PASSWORD } }), 400, 'INVALID_TOKEN');
    t.is(app.mailer.last('password-changed', email), undefined);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email: newEmail, password: PASSWORD } })).status, 200, 'the password is unchanged');
    t.is((await me(app, accessToken)).status, 200, 'and the owner is still signed in');
  });

  it('five change requests naming one address, in a row and in parallel, from two accounts, send it one confirmation; every notice goes', async (t, app) => {
    const ann = await signUpAndLogIn(app);
    const bob = await signUpAndLogIn(app);
    const victim = uniqueEmail('victim');
    const ask = (token: string, newEmail: string) =>
      app.request('/api/users/me/email', { method: 'POST', token, json: { newEmail, currentPassword: PASSWORD } });
    const statuses = [(await ask(ann.accessToken, victim)).status, (await ask(ann.accessToken, victim.toUpperCase())).status];
    statuses.push(...(await Promise.all([ask(ann.accessToken, victim), ask(bob.accessToken, victim), ask(bob.accessToken, victim)])).map((res) => res.status));
    t.deepEqual(statuses, [202, 202, 202, 202, 202]);
    t.deepEqual(
      app.mailer.to(victim).map((e) => e.kind),
      ['email-change-confirm'],
    );
    t.is(app.mailer.to(ann.email).filter((e) => e.kind === 'email-change-requested').length, 3);
    t.is(app.mailer.to(bob.email).filter((e) => e.kind === 'email-change-requested').length, 2);
    const confirmed = await app.request('/api/auth/confirm-email-change', {
      method: 'POST',
      json: { token: app.mailer.lastToken('email-change-confirm', victim) },
    });
    t.is(confirmed.status, 200, 'the one link sent still works');
    t.like(await confirmed.json(), { user: { email: victim } });
  });

  it('confirm-email-change: parallel confirms of one link switch once; two accounts racing for one address: one wins, the other gets 409', async (t, app) => {
    const a = await signUpAndLogIn(app);
    const b = await signUpAndLogIn(app);
    const target = uniqueEmail('contested');
    for (const who of [a, b]) {
      const res = await app.request('/api/users/me/email', { method: 'POST', token: who.accessToken, json: { newEmail: target, currentPassword: PASSWORD } });
      t.is(res.status, 202);
      // As if a minute had passed: an address gets one confirmation a minute, and both links are wanted here.
      await app.db.knex('email_change_issues').update({ last_issued_at: new Date(Date.now() - 120_000) });
    }
    const [tokenA, tokenB] = app.mailer
      .to(target)
      .filter((e) => e.kind === 'email-change-confirm')
      .map((e) => new URL((e as { link: string }).link).searchParams.get('token')!);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token: tokenA } })),
      ...Array.from({ length: 5 }, () => app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token: tokenB } })),
    ]);
    const statuses = results.map((r) => r.status);
    t.is(statuses.filter((s) => s === 200).length, 1, statuses.join());
    t.true(
      statuses.every((s) => s === 200 || s === 400 || s === 409),
      statuses.join(),
    );
    t.true(statuses.includes(409), statuses.join());
    const holders = await app.db.knex('users').whereRaw('lower(email) = ?', [target.toLowerCase()]);
    t.is(holders.length, 1);
  });

  it('the confirm-email-change pages: GET shows the address without using the link, POST switches and says so; dead links and taken addresses get pages', async (t, app) => {
    const { accessToken, email } = await signUpAndLogIn(app);
    const newEmail = uniqueEmail('paged');
    await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail, currentPassword: PASSWORD } });
    const token = app.mailer.lastToken('email-change-confirm', newEmail);

    const page = await app.request(`/account/confirm-email-change?token=${encodeURIComponent(token)}`);
    t.is(page.status, 200);
    t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
    t.regex(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    t.is(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    t.true(html.includes('<form method="post" action="confirm-email-change">'));
    t.true(html.includes(`name="token" value="${token}"`));

    const post = (value: string) =>
      app.request('/account/confirm-email-change', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: value }).toString(),
      });
    const done = await post(token);
    t.is(done.status, 200);
    t.true((await done.text()).includes(newEmail));
    t.like(await (await me(app, accessToken)).json(), { email: newEmail });
    t.truthy(app.mailer.last('email-changed', email));
    const again = await post(token);
    t.is(again.status, 400);
    t.regex(await again.text(), /cannot be used/);
    t.is((await app.request('/account/confirm-email-change?token=made-up')).status, 400);
    t.is((await app.request('/account/confirm-email-change')).status, 400);

    const taken = uniqueEmail('taken');
    await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail: taken, currentPassword: PASSWORD } });
    const takenToken = app.mailer.lastToken('email-change-confirm', taken);
    await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Squatter', email: taken, password: PASSWORD } });
    const conflict = await post(takenToken);
    t.is(conflict.status, 409);
    t.regex(await conflict.text(), /already in use/);
    t.like(await (await me(app, accessToken)).json(), { email: newEmail });
  });

  it('sessions: listed newest first with their User-Agent, current marked, no token or hash; lastUsedAt is written at most once a minute', async (t, app) => {
    const first = await signUpAndLogIn(app);
    const phone = await logIn(app, first.email, PASSWORD, `Phone\tApp/2 ${'y'.repeat(600)}`);
    const res = await app.request('/api/users/me/sessions', { token: phone.accessToken });
    t.is(res.status, 200);
    const text = await res.text();
    const { items } = JSON.parse(text) as { items: { id: string; createdAt: string; lastUsedAt: string; userAgent: string | null; current: boolean }[] };
    t.is(items.length, 2);
    t.deepEqual(
      items.map((s) => s.id),
      [sessionId(phone.accessToken), sessionId(first.accessToken)],
    );
    t.deepEqual(
      items.map((s) => s.current),
      [true, false],
    );
    t.deepEqual(Object.keys(items[0]!).sort(), ['createdAt', 'current', 'id', 'lastUsedAt', 'userAgent']);
    t.true(items[0]!.userAgent!.startsWith('Phone App/2 yyy'));
    t.is([...items[0]!.userAgent!].length, 256);
    t.true(Date.parse(items[0]!.lastUsedAt) >= Date.parse(items[0]!.createdAt));
    for (const secret of [phone.accessToken, phone.refreshToken, first.refreshToken, String(jwtClaims(phone.refreshToken).jti)]) t.false(text.includes(secret));

    const recorder = recordQueries(app.container.knex);
    for (let i = 0; i < 20; i++) t.is((await me(app, phone.accessToken)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    recorder.stop();
    const writes = recorder.about('sessions', sessionId(phone.accessToken)).filter((q) => /^update/i.test(q.sql));
    t.true(writes.length <= 1, `${writes.length} updates of the session in 20 requests`);
  });

  it("DELETE /api/users/me/sessions/:id refuses that session at once; another user's, an unknown or a malformed id is 404", async (t, app) => {
    const first = await signUpAndLogIn(app);
    const phone = await logIn(app, first.email);
    const stranger = await signUpAndLogIn(app);
    t.is((await me(app, phone.accessToken)).status, 200); // cached as live
    const phoneId = sessionId(phone.accessToken);
    await problem(t, await app.request(`/api/users/me/sessions/${phoneId}`, { method: 'DELETE', token: stranger.accessToken }), 404, 'NOT_FOUND');
    t.is((await me(app, phone.accessToken)).status, 200);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '%00']) {
      t.is((await app.request(`/api/users/me/sessions/${id}`, { method: 'DELETE', token: first.accessToken })).status, 404, id);
    }
    const res = await app.request(`/api/users/me/sessions/${phoneId}`, { method: 'DELETE', token: first.accessToken });
    t.is(res.status, 204);
    t.is((await me(app, phone.accessToken)).status, 401);
    t.is((await refresh(app, phone.refreshToken)).status, 401);
    t.is((await app.request(`/api/users/me/sessions/${phoneId}`, { method: 'DELETE', token: first.accessToken })).status, 404);
    t.is((await me(app, first.accessToken)).status, 200);
    t.is((await me(app, stranger.accessToken)).status, 200);
  });

  it("DELETE /api/users/me/sessions logs out everywhere else: other sessions refused at once, the caller's lives on", async (t, app) => {
    const first = await signUpAndLogIn(app);
    const others = [await logIn(app, first.email), await logIn(app, first.email)];
    for (const o of others) t.is((await me(app, o.accessToken)).status, 200);
    t.is((await app.request('/api/users/me/sessions', { method: 'DELETE', token: first.accessToken })).status, 204);
    for (const o of others) {
      t.is((await me(app, o.accessToken)).status, 401);
      t.is((await refresh(app, o.refreshToken)).status, 401);
    }
    t.is((await me(app, first.accessToken)).status, 200);
    const { items } = (await (await app.request('/api/users/me/sessions', { token: first.accessToken })).json()) as { items: { id: string }[] };
    t.deepEqual(
      items.map((s) => s.id),
      [sessionId(first.accessToken)],
    );
  });

  it('DELETE /api/users/me deletes the account and all it owns, refuses its tokens at once, says goodbye, and frees the address', async (t, app) => {
    const account = await signUpAndLogIn(app);
    const other = await logIn(app, account.email);
    const contact = await app.request('/api/contacts', {
      method: 'POST',
      token: account.accessToken,
      json: { firstName: 'Zed', lastName: 'Z', email: 'zed@example.com', phone: '+1 555 0100', birthday: '1990-01-02', notes: null },
    });
    t.is(contact.status, 201);
    const avatar = (await (await upload(app, account.accessToken, form(png(8, 8)))).json()) as { avatarUrl: string };
    const media = new URL(avatar.avatarUrl);
    t.is((await app.request(media.pathname + media.search)).status, 200);
    await app.request('/api/auth/forgot-password', { method: 'POST', json: { email: account.email } });
    t.is((await me(app, other.accessToken)).status, 200); // cached

    await problem(
      t,
      await app.request('/api/users/me', { method: 'DELETE', token: account.accessToken, json: { password: 'wrong password' } }),
      403,
      'WRONG_PASSWORD',
    );
    const missing = await app.request('/api/users/me', { method: 'DELETE', token: account.accessToken });
    t.is(missing.status, 422);
    t.like(await missing.json(), { errors: [{ field: 'password' }] });
    t.is((await me(app, account.accessToken)).status, 200);

    const res = await app.request('/api/users/me', { method: 'DELETE', token: account.accessToken, json: { password: PASSWORD } });
    t.is(res.status, 204);
    for (const pair of [account, other]) {
      t.is((await me(app, pair.accessToken)).status, 401);
      t.is((await refresh(app, pair.refreshToken)).status, 401);
    }
    const { knex } = app.db;
    t.is((await knex('users').where({ id: account.userId })).length, 0);
    for (const table of ['contacts', 'sessions', 'one_time_tokens', 'email_token_issues'])
      t.is((await knex(table).where({ userId: account.userId })).length, 0, table);
    const outbox = await knex('email_outbox').whereRaw(`payload->>'userId' = ?`, [account.userId]);
    t.deepEqual(
      outbox.map((row: { payload: { kind: string } }) => row.payload.kind),
      ['account-deleted'],
    );
    t.is((await app.request(media.pathname + media.search)).status, 404);
    t.truthy(app.mailer.last('account-deleted', account.email));

    const again = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Back', email: account.email, password: PASSWORD } });
    t.is(again.status, 201);
  });

  it('GET /api/users/me/export answers the whole account as an attachment, with nothing secret in it', async (t, app) => {
    const account = await signUpAndLogIn(app);
    await logIn(app, account.email, PASSWORD, 'Laptop/3');
    await app.request('/api/contacts', {
      method: 'POST',
      token: account.accessToken,
      json: { firstName: 'Zed', lastName: 'Z', email: 'zed@example.com', phone: '+1 555 0100', birthday: '1990-01-02', notes: 'likes tea' },
    });
    const res = await app.request('/api/users/me/export', { token: account.accessToken });
    t.is(res.status, 200);
    t.is(res.headers.get('content-disposition'), 'attachment; filename="account-export.json"');
    t.regex(res.headers.get('content-type') ?? '', /^application\/json/);
    t.is(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    const body = JSON.parse(text) as {
      exportedAt: string;
      user: { id: string };
      contacts: { notes: string }[];
      sessions: { current: boolean; userAgent: string }[];
    };
    t.deepEqual(Object.keys(body).sort(), ['appPasswords', 'contacts', 'exportedAt', 'groups', 'labels', 'sessions', 'trash', 'user']);
    t.false(Number.isNaN(Date.parse(body.exportedAt)));
    t.is(body.user.id, account.userId);
    t.deepEqual(
      body.contacts.map((c) => c.notes),
      ['likes tea'],
    );
    t.is(body.sessions.length, 2);
    t.is(body.sessions.filter((s) => s.current).length, 1);
    t.true(body.sessions.some((s) => s.userAgent === 'Laptop/3'));
    const [row] = await app.db.knex('users').where({ id: account.userId });
    for (const secret of [row.passwordHash, account.accessToken, account.refreshToken]) t.false(text.includes(secret));
    // No password or its hash anywhere; the one key that says so is the list of app passwords' names.
    t.false(/password(?!s":)|refreshJti|tokenVersion|"jti"/i.test(text));
    t.is((await app.request('/api/users/me/export')).status, 401);
  });
}

eachBackend([pgliteBackend], suite, { serial: true });
eachBackend(
  [postgresBackend],
  (it) =>
    suite((title, body) =>
      it(`with Redis, ${title}`, async (t, app) => {
        if (await redisAvailable()) await body(t, app);
        else t.pass('Redis is not running');
      }),
    ),
  { env: { REDIS_URL: TEST_REDIS_URL }, serial: true },
);

test("wrong passwords on the account routes count as failed logins: past the limit the owner's right password gets 429 there and at login", async (t) => {
  const app = await startTestApp({ env: { RATE_LIMIT_LOGIN_FAILURES_MAX: '3' } });
  try {
    const { accessToken, email } = await signUpAndLogIn(app);
    const wrong = [
      () => app.request('/api/users/me/password', { method: 'POST', token: accessToken, json: { currentPassword: 'wrong one', newPassword: NEW_PASSWORD } }),
      () => app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail: uniqueEmail(), currentPassword: 'wrong two' } }),
      () => app.request('/api/users/me', { method: 'DELETE', token: accessToken, json: { password: 'wrong three' } }),
    ];
    for (const attempt of wrong) t.is((await attempt()).status, 403);
    const limited = await app.request('/api/users/me', { method: 'DELETE', token: accessToken, json: { password: PASSWORD } });
    await problem(t, limited, 429, 'RATE_LIMITED');
    t.true(Number(limited.headers.get('retry-after')) >= 1);
    t.is((await app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD } })).status, 429);
    t.is((await me(app, accessToken)).status, 200);
  } finally {
    await app.close();
  }
});

test('POST /api/auth/confirm-email-change is limited per client IP like the other auth routes', async (t) => {
  const app = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '2' } });
  try {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request('/api/auth/confirm-email-change', { method: 'POST', json: { token: 'made-up' } })).status);
    t.deepEqual(statuses, [400, 400, 429]);
  } finally {
    await app.close();
  }
});

test('with Redis, two instances on one database: what one instance revokes, the other refuses on the very next request', async (t) => {
  if (!(await postgresAvailable()) || !(await redisAvailable())) return void t.pass('PostgreSQL or Redis is not running');
  // One database, two pools: a schema of its own, or a database of its own behind a pooler.
  const database = await postgresBackend.create();
  const databases = [database, database.openPool!()];
  const shared = (db: Database): Backend => ({ name: 'postgres', available: async () => true, create: async () => ({ ...db, drop: async () => {} }) });
  const redisKeyPrefix = randomRedisPrefix();
  const env = { REDIS_URL: TEST_REDIS_URL };
  const a = await startTestApp({ backend: shared(databases[0]!), env, redisKeyPrefix });
  // B sends no email of its own accord, so A's mailer sees every email A's requests enqueue.
  const b = await startTestApp({ backend: shared(databases[1]!), env: { ...env, OUTBOX_POLL_INTERVAL_MS: '3600000' }, redisKeyPrefix });
  try {
    const laptop = await signUpAndLogIn(a);
    const phone = await logIn(a, laptop.email);
    const tablet = await logIn(a, laptop.email);
    for (const pair of [laptop, phone, tablet]) t.is((await me(b, pair.accessToken)).status, 200); // cached live in the shared Redis

    t.is((await a.request(`/api/users/me/sessions/${sessionId(phone.accessToken)}`, { method: 'DELETE', token: laptop.accessToken })).status, 204);
    t.is((await me(b, phone.accessToken)).status, 401);
    t.is((await me(b, tablet.accessToken)).status, 200);

    const changed = await a.request('/api/users/me/password', {
      method: 'POST',
      token: laptop.accessToken,
      json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    t.is(changed.status, 200);
    const pair = (await changed.json()) as Pair;
    t.is((await me(b, laptop.accessToken)).status, 401);
    t.is((await me(b, tablet.accessToken)).status, 401);
    t.is((await me(b, pair.accessToken)).status, 200);

    const again = await logIn(b, laptop.email, NEW_PASSWORD);
    t.is((await me(a, again.accessToken)).status, 200);
    t.is((await b.request('/api/users/me/sessions', { method: 'DELETE', token: pair.accessToken })).status, 204);
    t.is((await me(a, again.accessToken)).status, 401);

    t.is((await b.request('/api/users/me', { method: 'DELETE', token: pair.accessToken, json: { password: NEW_PASSWORD } })).status, 204);
    t.is((await me(a, pair.accessToken)).status, 401);
  } finally {
    await b.close();
    await a.close();
    await databases[1]!.close();
    await database.drop();
  }
});
