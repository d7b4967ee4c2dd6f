import test from 'ava';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, PASSWORD, signUpAndLogIn, uniqueEmail, type TestApp } from '../helpers/test-app.js';

interface ProblemBody {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}

async function problem(res: Response): Promise<ProblemBody> {
  const type = res.headers.get('content-type');
  if (type !== 'application/problem+json') throw new Error(`${res.status} is not problem+json but ${type}: ${await res.text()}`);
  return (await res.json()) as ProblemBody;
}

/** The fields a 422 names. */
async function invalidFields(res: Response): Promise<string[]> {
  const body = await problem(res);
  if (res.status !== 422) throw new Error(`expected 422, got ${res.status} ${body.code}`);
  return (body.errors ?? []).map((e) => e.field).sort();
}

const NUL = '\u0000';
const post = (app: TestApp, path: string, json: unknown, token?: string) => app.request(path, { method: 'POST', json, ...(token ? { token } : {}) });
const form = (app: TestApp, path: string, fields: Record<string, string>) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

eachBackend(BACKENDS, (it) => {
  it('a NUL in any signup, login, resend or forgot field answers 422 naming the field, never 500', async (t, app) => {
    const email = uniqueEmail();
    t.deepEqual(await invalidFields(await post(app, '/api/auth/signup', { username: `A${NUL}n`, email: `a${NUL}${email}`, password: PASSWORD })), [
      'email',
      'username',
    ]);
    t.deepEqual(await invalidFields(await post(app, '/api/auth/login', { email: `${email}${NUL}`, password: PASSWORD })), ['email']);
    t.deepEqual(await invalidFields(await form(app, '/api/auth/login', { username: `${NUL}${email}`, password: PASSWORD })), ['username']);
    t.deepEqual(await invalidFields(await post(app, '/api/auth/resend-verification', { email: `${email}\u0007` })), ['email']);
    t.deepEqual(await invalidFields(await post(app, '/api/auth/forgot-password', { email: `${email}${NUL}` })), ['email']);
  });

  it('a NUL in a contact field or a search parameter answers 422 naming it; notes keep their line breaks', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const contact = { firstName: 'Ann', lastName: 'Lee', email: uniqueEmail('c'), phone: '+1 555 0100', birthday: '1990-04-01' };
    t.deepEqual(await invalidFields(await post(app, '/api/contacts', { ...contact, email: `x${NUL}@example.com`, lastName: `L${NUL}` }, token)), [
      'email',
      'lastName',
    ]);
    // Every text of the full contact, in lists and entries too, is named by its path.
    t.deepEqual(
      await invalidFields(
        await post(
          app,
          '/api/contacts',
          {
            ...contact,
            nickname: `N${NUL}`,
            organization: `O${NUL}`,
            emails: [{ value: contact.email }, { value: uniqueEmail('c'), label: `home${NUL}` }],
            phones: [{ value: `555 0100${NUL}` }],
            addresses: [{ street: `1 Main${NUL} St` }],
            urls: [{ value: `https://x.example/${NUL}` }],
            labels: ['ok', `Fam${NUL}ily`],
          },
          token,
        ),
      ),
      ['addresses[0].street', 'emails[1].label', 'labels[1]', 'nickname', 'organization', 'phones[0].value', 'urls[0].value'],
    );
    for (const name of ['q', 'firstName', 'lastName', 'email', 'label', 'sort', 'fields']) {
      const res = await app.request(`/api/contacts?${name}=a%00b`, { token });
      t.deepEqual(await invalidFields(res), [name], name);
    }
    const label = await app.request('/api/labels/Family', { method: 'PATCH', token, json: { name: `Fam${NUL}` } });
    t.deepEqual(await invalidFields(label), ['name']);
    const created = await post(app, '/api/contacts', { ...contact, notes: 'line one\r\nline two\ttab' }, token);
    t.is(created.status, 201);
    t.is(((await created.json()) as { notes: string }).notes, 'line one\r\nline two\ttab');
    t.deepEqual(await invalidFields(await post(app, '/api/contacts', { ...contact, email: uniqueEmail('c'), notes: `a${NUL}b` }, token)), ['notes']);
  });

  it('a NUL or a foreign character in a one-time or refresh token is 400/401, never 500', async (t, app) => {
    t.like(await problem(await app.request('/api/auth/verify-email?token=abc%00def')), { status: 400, code: 'INVALID_TOKEN' });
    t.like(await problem(await post(app, '/api/auth/reset-password', { token: `abc${NUL}`, password: 'a new passphrase here' })), {
      status: 400,
      code: 'INVALID_TOKEN',
    });
    t.like(await problem(await post(app, '/api/auth/refresh', { refreshToken: `abc${NUL}` })), { status: 401 });
    const page = await app.request('/account/reset-password?token=%00');
    t.is(page.status, 400);
    t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  });

  it('a password may hold any character, NUL included: it is hashed, never stored or queried as text', async (t, app) => {
    const password = `pass${NUL}word\u0007 with controls`;
    const { email } = await signUpAndLogIn(app, uniqueEmail(), password);
    t.is((await post(app, '/api/auth/login', { email, password })).status, 200);
    t.is((await post(app, '/api/auth/login', { email, password: `pass${NUL}word\u0007 with controlz` })).status, 401);
  });

  it('an address with a display name, a second address or a separator cannot sign up, so two accounts never share a mailbox', async (t, app) => {
    const victim = uniqueEmail('victim');
    for (const email of [
      `x<${victim}>`,
      `y<${victim}>`,
      `"x"@example.com`,
      `${victim},x@example.com`,
      `a;${victim}`,
      `a:${victim}`,
      `a@b@example.com`,
      `x (c) ${victim}`,
    ]) {
      t.deepEqual(await invalidFields(await post(app, '/api/auth/signup', { username: 'X', email, password: PASSWORD })), ['email'], email);
    }
    t.is(app.mailer.sent.filter((mail) => mail.to.includes(victim)).length, 0);
  });

  it('a login with a megabyte of email is 422 at once and the form page re-shows itself with 422', async (t, app) => {
    const res = await post(app, '/api/auth/login', { email: `${'a'.repeat(1_000_000)}@example.com`, password: PASSWORD });
    t.deepEqual(await invalidFields(res), ['email']);
    const tooLong = await post(app, '/api/auth/login', { email: uniqueEmail(), password: 'x'.repeat(73) });
    t.deepEqual(await invalidFields(tooLong), ['password']);
    const page = await form(app, '/account/forgot-password', { email: `ann${NUL}@example.com` });
    t.is(page.status, 422);
    t.regex(await page.text(), /control characters/);
  });
});

test('the file registers its tests per backend', (t) => t.is(BACKENDS.length, 2));
