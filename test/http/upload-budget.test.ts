import test from 'ava';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import Koa from 'koa';
import { errorHandler } from '../../src/adapters/http/middleware/error-handler.js';
import { readSingleFile, type UploadTimeouts, uploadedFile, withRawUpload } from '../../src/adapters/http/middleware/multipart.js';
import { UploadBudget, type UploadBudgetLimits } from '../../src/adapters/http/middleware/upload-budget.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { png } from '../helpers/images.js';
import { signUpAndLogIn, startTestApp } from '../helpers/test-app.js';
import { me } from '../helpers/uploads.js';

const KiB = 1024;
const MAX_BYTES = 1024 * KiB;
/** Each upload here declares about 300 KiB, so it reserves that much of a budget. */
const FILE = Buffer.concat([png(4, 4), Buffer.alloc(300 * KiB)]);
const RELAXED: UploadTimeouts = { idleMs: 10_000, graceMs: 10_000, minBytesPerSecond: 64 * KiB };
const LIMITS: UploadBudgetLimits = { bytes: 1024 * KiB, maxWaiting: 64, waitMs: 10_000, retryAfterSeconds: 2 };

function multipart(bytes: Buffer): { body: Buffer; contentType: string } {
  const boundary = `b${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

interface StandIn {
  url: string;
  port: number;
  budget: UploadBudget;
  /** Uploads whose handler is running now, and the most there ever were. */
  handling: { now: number; most: number };
  logger: CapturingLogger;
  /** Lets every handler waiting on the gate, and every later one, answer. */
  open(): void;
  close(): Promise<void>;
}

/** An upload route as the app mounts one (the error middleware, then the reader), whose handler waits on a gate. */
async function standIn(
  limits: Partial<UploadBudgetLimits> = {},
  timeouts: Partial<UploadTimeouts> = {},
  mount: 'before the handler' | 'inline, as the import runs it' | 'the raw body, as the import reads text/vcard' = 'before the handler',
): Promise<StandIn> {
  const budget = new UploadBudget({ ...LIMITS, ...limits });
  const handling = { now: 0, most: 0 };
  const logger = new CapturingLogger();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const koa = new Koa();
  koa.silent = true;
  koa.use(errorHandler(logger));
  const reader = readSingleFile('avatar', MAX_BYTES, { budget, timeouts: { ...RELAXED, ...timeouts } });
  if (mount === 'before the handler') koa.use(reader);
  koa.use(async (ctx) => {
    const handle = async (file: Buffer | undefined) => {
      handling.now += 1;
      handling.most = Math.max(handling.most, handling.now);
      try {
        await gate;
        ctx.body = { bytes: file?.length ?? 0 };
      } finally {
        handling.now -= 1;
      }
    };
    if (mount === 'the raw body, as the import reads text/vcard')
      return withRawUpload(ctx, MAX_BYTES, handle, { budget, timeouts: { ...RELAXED, ...timeouts } });
    if (mount === 'inline, as the import runs it') await reader(ctx, async () => {});
    return handle(uploadedFile(ctx));
  });
  const server: Server = createServer(koa.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    budget,
    handling,
    logger,
    open,
    async close() {
      open();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function upload(app: StandIn, bytes: Buffer = FILE) {
  const { body, contentType } = multipart(bytes);
  const res = await fetch(app.url, { method: 'PATCH', headers: { 'content-type': contentType }, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { code?: string; bytes?: number } };
}

/** A client on a raw socket: it sends the headers and `sent` bytes of the body, then whatever the test writes. */
function rawUpload(app: StandIn, sent: number) {
  const { body, contentType } = multipart(FILE);
  const socket = net.connect(app.port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(`PATCH / HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`);
  socket.write(body.subarray(0, sent));
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, body, closed };
}

async function until(condition: () => boolean, what: string, ms = 5000) {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting until ${what}`);
  }
}

test('uploads past the byte budget wait their turn: never more than the budget holds are read and handled at once, and every one answers 200', async (t) => {
  const app = await standIn();
  try {
    const answers = Array.from({ length: 8 }, () => upload(app));
    // 300 KiB each in a budget of 1 MiB: three at a time, the other five wait.
    await until(() => app.handling.now === 3 && app.budget.queued === 5, 'three are handled and five wait');
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.is(app.handling.now, 3);
    app.open();
    const done = await Promise.all(answers);
    t.deepEqual(
      done.map((answer) => answer.status),
      new Array(8).fill(200),
    );
    t.is(done[0]!.body.bytes, FILE.length);
    t.is(app.handling.most, 3);
    await until(() => app.budget.inUse === 0, 'every share is given back');
  } finally {
    await app.close();
  }
});

test('small uploads go through side by side while a large one is handled', async (t) => {
  const app = await standIn();
  try {
    const large = upload(app, Buffer.concat([png(4, 4), Buffer.alloc(600 * KiB)]));
    await until(() => app.handling.now === 1, 'the large one is handled');
    const small = upload(app, png(4, 4));
    await until(() => app.handling.now === 2, 'the small one is handled beside it');
    app.open();
    t.is((await large).status, 200);
    t.is((await small).status, 200);
  } finally {
    await app.close();
  }
});

test('with too many uploads waiting the next answers 503 UPLOADS_BUSY with Retry-After at once, and one that waits past the bound answers 503 too', async (t) => {
  const app = await standIn({ bytes: 400 * KiB, maxWaiting: 1, waitMs: 2000 });
  try {
    const first = upload(app);
    await until(() => app.handling.now === 1, 'the first is handled');
    const waiting = upload(app);
    await until(() => app.budget.queued === 1, 'the second waits');
    const queuedAt = Date.now();
    const refused = await upload(app);
    t.true(Date.now() - queuedAt < 1500, 'refused without waiting');
    t.is(refused.status, 503);
    t.is(refused.headers.get('content-type'), 'application/problem+json');
    t.is(refused.headers.get('retry-after'), '2');
    t.like(refused.body, { status: 503, code: 'UPLOADS_BUSY' });

    const late = await waiting;
    t.true(Date.now() - queuedAt >= 1800, 'after waiting its bound');
    t.is(late.status, 503);
    t.is(late.headers.get('retry-after'), '2');
    t.like(late.body, { code: 'UPLOADS_BUSY' });

    app.open();
    t.is((await first).status, 200);
    t.is((await upload(app)).status, 200, 'the budget serves the next upload');
    await until(() => app.budget.inUse === 0, 'every share is given back');
  } finally {
    await app.close();
  }
});

test('a body that stops arriving answers 408 REQUEST_TIMEOUT, its connection is closed, and its share goes to the upload waiting behind it', async (t) => {
  const app = await standIn({ bytes: 400 * KiB }, { idleMs: 1000 });
  try {
    app.open();
    const stalled = rawUpload(app, 100 * KiB);
    await until(() => app.budget.inUse > 0, 'the stalled upload holds its share');
    const next = upload(app);
    await until(() => app.budget.queued === 1, 'the next one waits');
    const answer = await stalled.closed;
    t.regex(answer, /^HTTP\/1\.1 408 /);
    t.regex(answer, /\r\nconnection: close\r\n/i);
    t.regex(answer, /"code":"REQUEST_TIMEOUT"/);
    t.regex(answer, /\r\ncontent-type: application\/problem\+json/i);
    t.is((await next).status, 200);
    await until(() => app.budget.inUse === 0, 'every share is given back');
  } finally {
    await app.close();
  }
});

test('a body that keeps trickling but too slowly for its size answers 408 at its deadline', async (t) => {
  // 300 KiB at no less than 1 MiB/s, after 200 ms: about half a second, far below the idle bound.
  const app = await standIn({}, { idleMs: 10_000, graceMs: 200, minBytesPerSecond: 1024 * KiB });
  try {
    app.open();
    const slow = rawUpload(app, 1);
    let at = 1;
    const trickle = setInterval(() => {
      if (at >= slow.body.length) return;
      slow.socket.write(slow.body.subarray(at, at + 512));
      at += 512;
    }, 20);
    const started = Date.now();
    const answer = await slow.closed;
    clearInterval(trickle);
    t.regex(answer, /^HTTP\/1\.1 408 /);
    t.regex(answer, /"code":"REQUEST_TIMEOUT"/);
    t.true(Date.now() - started < 5000, `answered after ${Date.now() - started} ms`);
    t.true(at < slow.body.length, 'before the body was all sent');
    await until(() => app.budget.inUse === 0, 'its share is given back');
  } finally {
    await app.close();
  }
});

test('a client that goes away mid-body frees its share; one that went away while waiting gives its place back once its turn comes', async (t) => {
  const app = await standIn({ bytes: 400 * KiB });
  try {
    const reading = rawUpload(app, 100 * KiB);
    await until(() => app.budget.inUse > 0, 'the first upload is being read');
    // Its body is not read while it waits, so the server learns it went away only when its turn comes.
    const waiting = rawUpload(app, 100 * KiB);
    await until(() => app.budget.queued === 1, 'the second waits');
    waiting.socket.destroy();
    reading.socket.destroy();
    await until(() => app.budget.inUse === 0 && app.budget.queued === 0, 'both places are given back');
    app.open();
    t.is((await upload(app)).status, 200);
  } finally {
    await app.close();
  }
});

test('a client with a small body that goes away while waiting leaves the queue at once, and nothing is logged as a server error', async (t) => {
  const app = await standIn({ bytes: 400 * KiB });
  try {
    const first = upload(app);
    await until(() => app.handling.now === 1, 'the first is handled');
    const { body, contentType } = multipart(png(4, 4));
    const socket = net.connect(app.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`PATCH / HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
    await until(() => app.budget.queued === 1, 'the small one waits');
    socket.destroy();
    await until(() => app.budget.queued === 0, 'it leaves the queue');
    app.open();
    t.is((await first).status, 200);
    t.deepEqual(
      app.logger.lines.filter((line) => line.level === 'error'),
      [],
    );
  } finally {
    await app.close();
  }
});

test('an upload holds its share until its handler has answered, even when the client has gone', async (t) => {
  const app = await standIn({ bytes: 400 * KiB });
  try {
    const client = rawUpload(app, Number.POSITIVE_INFINITY);
    await until(() => app.handling.now === 1, 'the handler runs');
    client.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.true(app.budget.inUse > 0, 'held while the handler still holds the file');
    app.open();
    await until(() => app.budget.inUse === 0, 'given back once the handler settles');
    t.pass();
  } finally {
    await app.close();
  }
});

test('a route that runs the reader inline and then works on the file, as the import does, holds its share until it has answered', async (t) => {
  const app = await standIn({}, {}, 'inline, as the import runs it');
  try {
    const answers = Array.from({ length: 5 }, () => upload(app));
    await until(() => app.handling.now === 3 && app.budget.queued === 2, 'three are handled and two wait');
    app.open();
    t.deepEqual(
      (await Promise.all(answers)).map((answer) => answer.status),
      new Array(5).fill(200),
    );
    t.is(app.handling.most, 3);
    await until(() => app.budget.inUse === 0, 'every share is given back');
  } finally {
    await app.close();
  }
});

test('a vCard sent as the body itself (text/vcard) takes its share of the same budget, held until it has answered', async (t) => {
  const app = await standIn({}, {}, 'the raw body, as the import reads text/vcard');
  try {
    const send = () => fetch(app.url, { method: 'POST', headers: { 'content-type': 'text/vcard' }, body: FILE });
    const answers = Array.from({ length: 5 }, send);
    await until(() => app.handling.now === 3 && app.budget.queued === 2, 'three are handled and two wait');
    app.open();
    const responses = await Promise.all(answers);
    t.deepEqual(
      responses.map((answer) => answer.status),
      new Array(5).fill(200),
    );
    t.deepEqual(await responses[0]!.json(), { bytes: FILE.length });
    t.is(app.handling.most, 3);
    await until(() => app.budget.inUse === 0, 'every share is given back');
  } finally {
    await app.close();
  }
});

test('the budget admits in order, and an upload larger than the whole budget alone', async (t) => {
  const budget = new UploadBudget({ bytes: 100, maxWaiting: 10, waitMs: 10_000, retryAfterSeconds: 1 });
  const order: string[] = [];
  const releaseA = await budget.acquire(60);
  const admitted = (name: string) => (release: () => void) => {
    order.push(name);
    return release;
  };
  const big = budget.acquire(500).then(admitted('big'));
  const small = budget.acquire(10).then(admitted('small'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.deepEqual(order, [], 'the small one does not pass the big one waiting before it');
  releaseA();
  const releaseBig = await big;
  t.is(budget.inUse, 100);
  releaseBig();
  releaseBig();
  (await small)();
  t.deepEqual(order, ['big', 'small']);
  t.is(budget.inUse, 0, 'a release counts once');
});

test('through the whole app, an avatar upload whose body stops arriving answers 408 REQUEST_TIMEOUT after 10 s and the avatar is kept', async (t) => {
  t.timeout(60_000);
  const app = await startTestApp();
  try {
    const { accessToken } = await signUpAndLogIn(app);
    const before = await me(app, accessToken);
    const { body, contentType } = multipart(FILE);
    const socket = net.connect(Number(new URL(app.url).port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      `PATCH /api/users/me/avatar HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${accessToken}\r\n` +
        `Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 1000));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    const started = Date.now();
    await once(socket, 'close');
    t.true(Date.now() - started >= 9000, 'not before the idle bound');
    t.regex(answer, /^HTTP\/1\.1 408 /);
    t.regex(answer, /\r\nconnection: close\r\n/i);
    t.regex(answer, /\r\ncontent-type: application\/problem\+json/i);
    t.regex(answer, /"code":"REQUEST_TIMEOUT"/);
    t.is((await me(app, accessToken)).avatarUrl, before.avatarUrl);
  } finally {
    await app.close();
  }
});

test('a client gone before its upload reaches the reader (while authentication awaits) gives its share back all the same', async (t) => {
  const budget = new UploadBudget(LIMITS);
  let reached!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  let admit!: () => void;
  const admitted = new Promise<void>((resolve) => (admit = resolve));
  const koa = new Koa();
  koa.silent = true;
  koa.use(errorHandler(new CapturingLogger()));
  koa.use(async (_ctx, next) => {
    reached();
    await admitted;
    await next();
  });
  koa.use(readSingleFile('avatar', MAX_BYTES, { budget, timeouts: { ...RELAXED, idleMs: 200 } }));
  koa.use((ctx) => {
    ctx.body = {};
  });
  const server: Server = createServer(koa.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    // A small part of the body: the server sees the client go (a larger one fills the socket's buffers first).
    const client = rawUpload({ port } as StandIn, KiB);
    await arrived;
    client.socket.destroy();
    await client.closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    admit();
    await until(() => budget.inUse === 0 && budget.queued === 0, 'its share is given back', 3000);
    t.pass();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
