import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, PASSWORD, signUpAndLogIn, uniqueEmail, type TestApp } from '../helpers/test-app.js';

/** Rows of the email outbox addressed to that address, of that kind (sent or not). */
async function outboxRows(app: TestApp, to: string, kind: string): Promise<number> {
  const rows = (await app.db.knex('email_outbox').whereRaw(`payload->>'to' = ? and payload->>'kind' = ?`, [to, kind])) as unknown[];
  return rows.length;
}

/** As if the last link of that purpose had been sent two minutes ago. */
async function forgetLastIssue(app: TestApp, userId: string, purpose: string): Promise<void> {
  await app.db.knex('email_token_issues').where({ userId, purpose }).update({ lastIssuedAt: new Date(Date.now() - 120_000) });
}

eachBackend(BACKENDS, (it) => {
  it('ten parallel forgot-password requests for one address send exactly one reset email', async (t, app) => {
    const { email, userId } = await signUpAndLogIn(app);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => app.request('/api/auth/forgot-password', { method: 'POST', json: { email } })),
    );
    t.deepEqual(answers.map((r) => r.status), Array(10).fill(202));
    await app.flushOutbox();
    t.is(await outboxRows(app, email, 'password-reset'), 1);
    t.is(app.mailer.to(email).filter((e) => e.kind === 'password-reset').length, 1);
    t.is(((await app.db.knex('one_time_tokens').where({ userId, purpose: 'reset-password' })) as unknown[]).length, 1);
  });

  it('ten parallel resend-verification requests for one unverified address send exactly one new link', async (t, app) => {
    const email = uniqueEmail('unverified');
    const signup = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Una', email, password: PASSWORD } });
    const { user } = (await signup.json()) as { user: { id: string } };
    await forgetLastIssue(app, user.id, 'verify-email');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => app.request('/api/auth/resend-verification', { method: 'POST', json: { email } })),
    );
    t.deepEqual(answers.map((r) => r.status), Array(10).fill(202));
    await app.flushOutbox();
    t.is(await outboxRows(app, email, 'verify-email'), 2, 'the signup email and exactly one resend');
    t.is(app.mailer.to(email).filter((e) => e.kind === 'verify-email').length, 2);
  });
});
