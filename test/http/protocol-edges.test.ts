import test from 'ava';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { PASSWORD, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
test.before(async () => {
  app = await startTestApp();
});
test.after.always(async () => {
  await app?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request through node:http, bytes exactly as given (fetch would refuse or rewrite some). */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes on a fresh connection; resolves with everything the server wrote before closing it. */
async function raw(bytes: string): Promise<string> {
  const { hostname, port } = new URL(app.url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => {});
  socket.write(bytes);
  await once(socket, 'close');
  return received;
}

function problemOf(answer: Answer): { status: number; code: string } {
  if (answer.headers['content-type'] !== 'application/problem+json') throw new Error(`${answer.status} is ${answer.headers['content-type']}: ${answer.body}`);
  return JSON.parse(answer.body) as { status: number; code: string };
}

/** Splits a raw HTTP/1.1 response into status, headers and body. */
function parseRaw(response: string): { status: number; headers: string; body: string } {
  const [head, body = ''] = response.split('\r\n\r\n', 2);
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head ?? '')?.[1]), headers: head ?? '', body };
}

const LOGIN = JSON.stringify({ email: 'nobody@example.com', password: PASSWORD });
const jsonHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...extra });

test("headers over Node's limit answer 431 problem+json with a request id, not a bare status line", async (t) => {
  const response = parseRaw(await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
  t.is(response.status, 431);
  t.regex(response.headers, /\r\ncontent-type: application\/problem\+json\r\n/i);
  t.regex(response.headers, /\r\nx-request-id: [0-9a-f-]{36}\r\n/i);
  t.regex(response.headers, /\r\nx-content-type-options: nosniff\r\n/i);
  t.like(JSON.parse(response.body), { type: 'about:blank', status: 431, code: 'HEADERS_TOO_LARGE', title: 'Request Header Fields Too Large' });
});

test('a keep-alive connection that sends too large headers after a good request gets its 431 too', async (t) => {
  const { hostname, port } = new URL(app.url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  while (!received.endsWith('{"status":"ok"}')) await once(socket, 'data');
  t.regex(received, /^HTTP\/1\.1 200 OK/);
  const first = received.length;
  socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  await once(socket, 'close');
  const second = parseRaw(received.slice(first));
  t.is(second.status, 431);
  t.like(JSON.parse(second.body), { code: 'HEADERS_TOO_LARGE' });
});

test('a request that is not HTTP answers 400 problem+json', async (t) => {
  const response = parseRaw(await raw('HELLO THERE\r\n\r\n'));
  t.is(response.status, 400);
  t.like(JSON.parse(response.body), { status: 400, code: 'MALFORMED_REQUEST' });
});

test('a body that does not decode as its Content-Encoding says answers 400 problem+json, never 500', async (t) => {
  const cases: Array<[string, Buffer | string]> = [
    ['deflate', Buffer.from('garbage, not deflate')],
    ['br', LOGIN],
    ['gzip', LOGIN],
    ['gzip', gzipSync(LOGIN).subarray(0, 20)],
  ];
  for (const [encoding, body] of cases) {
    const answer = await send('POST', '/api/auth/login', jsonHeaders({ 'content-encoding': encoding }), body);
    t.is(answer.status, 400, encoding);
    t.like(problemOf(answer), { code: 'MALFORMED_BODY' }, encoding);
  }
  const form = await send('POST', '/api/auth/login', { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'deflate' }, 'garbage');
  t.like(problemOf(form), { status: 400, code: 'MALFORMED_BODY' });
});

test('well-formed gzip, deflate and br bodies are read, whatever the case of the coding', async (t) => {
  for (const [encoding, body] of [
    ['gzip', gzipSync(LOGIN)],
    ['DEFLATE', deflateSync(LOGIN)],
    ['br', brotliCompressSync(LOGIN)],
  ] as const) {
    const answer = await send('POST', '/api/auth/login', jsonHeaders({ 'content-encoding': encoding }), body);
    t.like(problemOf(answer), { status: 401, code: 'INVALID_CREDENTIALS' }, encoding);
  }
  const bomb = await send('POST', '/api/auth/login', jsonHeaders({ 'content-encoding': 'gzip' }), gzipSync(Buffer.alloc(20_000_000, 32)));
  t.like(problemOf(bomb), { status: 413, code: 'PAYLOAD_TOO_LARGE' });
});

test('an unknown or stacked Content-Encoding answers 415 problem+json listing the ones accepted', async (t) => {
  for (const encoding of ['compress', 'gzip, br', 'x-custom']) {
    const answer = await send('POST', '/api/auth/login', jsonHeaders({ 'content-encoding': encoding }), LOGIN);
    t.is(answer.status, 415, encoding);
    t.like(problemOf(answer), { code: 'UNSUPPORTED_CONTENT_ENCODING' });
    t.is(answer.headers['accept-encoding'], 'gzip, deflate, br');
  }
  const { accessToken } = await signUpAndLogIn(app);
  const avatar = await send(
    'PATCH',
    '/api/users/me/avatar',
    {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'multipart/form-data; boundary=x',
      'content-encoding': 'gzip',
    },
    gzipSync('--x--'),
  );
  t.is(avatar.status, 415);
  t.like(problemOf(avatar), { code: 'UNSUPPORTED_CONTENT_ENCODING' });
});

test('a JSON body in another charset than UTF-8 is 415; malformed JSON and a JSON array are 400', async (t) => {
  for (const charset of ['utf-16', 'latin1', 'bogus']) {
    const answer = await send('POST', '/api/auth/login', { 'content-type': `application/json; charset=${charset}` }, LOGIN);
    t.like(problemOf(answer), { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, charset);
  }
  const utf8 = await send('POST', '/api/auth/login', { 'content-type': 'application/json; charset=UTF-8' }, LOGIN);
  t.is(utf8.status, 401);
  t.like(problemOf(await send('POST', '/api/auth/login', jsonHeaders(), '{"email":')), { status: 400, code: 'MALFORMED_BODY' });
  t.like(problemOf(await send('POST', '/api/auth/login', jsonHeaders(), '{"__proto__":{"admin":true}}')), { status: 400, code: 'MALFORMED_BODY' });
});

test('a page form that does not decode answers a 400 page, not a 500 one', async (t) => {
  const answer = await send(
    'POST',
    '/account/forgot-password',
    { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'deflate' },
    'garbage',
  );
  t.is(answer.status, 400);
  t.regex(String(answer.headers['content-type']), /^text\/html/);
});

test('after all of it the server is healthy', async (t) => {
  const health = await app.request('/health');
  t.is(health.status, 200);
  t.false(
    app.logger.lines.some((line) => line.message === 'unhandled error'),
    'no request reached the 500 path',
  );
});

test('bytes after a request that said Connection: close do not replace its answer', async (t) => {
  const response = await raw('DELETE /api/contacts/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n{"unframed":"body"}');
  t.is(parseRaw(response).status, 401);
  t.like(JSON.parse(parseRaw(response).body), { code: 'UNAUTHENTICATED' });
});
