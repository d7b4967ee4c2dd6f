import assert from 'node:assert/strict';
import { png } from '../helpers/images.js';
import { Api, linkIn, Mailpit, PASSWORD, step, uniqueEmail } from './client.js';

// `npm run test:docker` (test/docker/run.sh starts the stack): one person's whole story through the
// published ports of `docker compose up`, the emails read back through Mailpit's API.
// Usage: tsx test/docker/walk.ts <api base URL> <Mailpit base URL>

const [apiUrl, mailpitUrl] = process.argv.slice(2);
if (!apiUrl || !mailpitUrl) throw new Error('usage: walk.ts <api URL> <Mailpit URL>');
const api = new Api(apiUrl);
const mailpit = new Mailpit(mailpitUrl);
const email = uniqueEmail('docker');

await step('GET /ready: the database and Redis answer', async () => {
  const ready = await api.call('GET', '/ready');
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
});

await step('signup answers 201', async () => {
  const signup = await api.call('POST', '/api/auth/signup', { json: { username: 'Docker Dora', email, password: PASSWORD } });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
});

await step('the verification email arrives in Mailpit and its link verifies the address', async () => {
  const [mail] = await mailpit.waitFor(email, /confirm/i);
  const { path, token } = linkIn(mail!);
  assert.equal(path, '/account/verify-email');
  const verify = await api.call('GET', `/api/auth/verify-email?token=${encodeURIComponent(token)}`);
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
});

const session = await step('login answers a token pair', async () => {
  const login = await api.call<{ accessToken: string; refreshToken: string }>('POST', '/api/auth/login', { json: { email, password: PASSWORD } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return login.body;
});

await step('a contact is created and read back', async () => {
  const created = await api.call<{ id: string }>('POST', '/api/contacts', {
    token: session.accessToken,
    json: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0000', birthday: '1990-12-10' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const read = await api.call('GET', `/api/contacts/${created.body.id}`, { token: session.accessToken });
  assert.equal(read.status, 200);
  assert.equal((read.body as { firstName: string }).firstName, 'Ada');
  const list = await api.call<{ total: number }>('GET', '/api/contacts?q=ada', { token: session.accessToken });
  assert.equal(list.body.total, 1);
});

await step('an avatar is uploaded, and its URL serves the same bytes from the uploads volume', async () => {
  const image = png(16, 16);
  const form = new FormData();
  form.append('avatar', new Blob([image], { type: 'image/png' }), 'me.png');
  const upload = await api.call<{ avatarUrl: string }>('PATCH', '/api/users/me/avatar', { token: session.accessToken, body: form });
  assert.equal(upload.status, 200, JSON.stringify(upload.body));
  const avatar = new URL(upload.body.avatarUrl);
  const served = await fetch(apiUrl + avatar.pathname + avatar.search);
  assert.equal(served.status, 200);
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), image);
});

await step('forgot-password sends a reset email; the reset sets the new password and ends the old session', async () => {
  const forgot = await api.call('POST', '/api/auth/forgot-password', { json: { email } });
  assert.equal(forgot.status, 202);
  const [mail] = await mailpit.waitFor(email, /reset/i);
  const { path, token } = linkIn(mail!);
  assert.equal(path, '/account/reset-password');
  const newPassword = 'another perfectly fine passphrase';
  const reset = await api.call('POST', '/api/auth/reset-password', { json: { token, password: newPassword } });
  assert.equal(reset.status, 204, JSON.stringify(reset.body));
  assert.equal((await api.call('GET', '/api/users/me', { token: session.accessToken })).status, 401, 'the old access token is refused');
  assert.equal((await api.call('POST', '/api/auth/login', { json: { email, password: PASSWORD } })).status, 401, 'the old password is refused');
  const login = await api.call('POST', '/api/auth/login', { json: { email, password: newPassword } });
  assert.equal(login.status, 200);
});
