import test from 'ava';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { postgresAvailable, TEST_DATABASE_URL } from '../helpers/databases.js';
import { startMain, type Running } from '../helpers/main-process.js';
import { OwnRedisServer, redisServerInstalled } from '../helpers/redis-servers.js';

// A real server process (src/infrastructure/main.ts) receiving SIGTERM, as API.md's "Shutdown"
// paragraph describes it. Bounds leave room for a loaded 2-core machine; the figures are logged.
// Serial: each test is a server and up to 30 clients, and timing is what they measure.

const LIMITS = { RATE_LIMIT_AUTH_MAX: '1000000', RATE_LIMIT_LOGIN_FAILURES_MAX: '1000000', BCRYPT_ROUNDS: '4' };
const EXIT_BOUND_MS = 5000;

interface Outcome {
  client: number;
  route: string;
  /** The request was completely written to the socket before SIGTERM was sent. */
  sentBeforeSignal: boolean;
  answeredAfterSignal: boolean;
  status?: number;
  connection?: string;
  error?: string;
  reusedSocket: boolean;
}

/** One keep-alive client sending its kind of request back to back until a request fails. */
async function client(index: number, url: string, state: { signalled: boolean; stop: boolean }, outcomes: Outcome[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const token = `Bearer ${randomBytes(24).toString('base64url')}`;
  try {
    while (!state.stop) {
      const kind = index % 3;
      const route = kind === 0 ? (index % 2 ? '/health' : '/ready') : kind === 1 ? '/api/contacts' : '/api/auth/login';
      const body = kind === 2 ? JSON.stringify({ email: `nobody.${randomBytes(4).toString('hex')}@example.com`, password: 'wrong password!' }) : undefined;
      const outcome = await new Promise<Outcome>((resolve) => {
        let sentBeforeSignal = false;
        const req = http.request(url + route, {
          agent,
          method: body ? 'POST' : 'GET',
          headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : { authorization: token },
        });
        req.on('finish', () => (sentBeforeSignal = !state.signalled));
        req.on('response', (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              client: index,
              route,
              sentBeforeSignal,
              answeredAfterSignal: state.signalled,
              status: res.statusCode!,
              connection: res.headers.connection,
              reusedSocket: req.reusedSocket,
            }),
          );
          res.on('error', (error) => resolve(failed(error)));
        });
        const failed = (error: Error): Outcome => ({
          client: index,
          route,
          sentBeforeSignal,
          answeredAfterSignal: state.signalled,
          error: (error as NodeJS.ErrnoException).code ?? error.message,
          reusedSocket: req.reusedSocket,
        });
        req.on('error', (error) => resolve(failed(error)));
        req.end(body);
      });
      outcomes.push(outcome);
      if (outcome.error) return;
    }
  } finally {
    agent.destroy();
  }
}

async function loadThenSigterm(t: import('ava').ExecutionContext, running: Running, label: string) {
  const outcomes: Outcome[] = [];
  const state = { signalled: false, stop: false };
  const clients = Array.from({ length: 30 }, (_, i) => client(i, running.url, state, outcomes));
  // Let every client get going on its own keep-alive connection, then signal in the middle of the traffic.
  while (outcomes.length < 300) await new Promise((resolve) => setTimeout(resolve, 20));
  state.signalled = true;
  const signalledAt = performance.now();
  running.child.kill('SIGTERM');
  const code = await running.exit;
  const exitMs = Math.round(performance.now() - signalledAt);
  state.stop = true;
  await Promise.all(clients);

  const before = outcomes.filter((o) => o.sentBeforeSignal);
  const after = outcomes.filter((o) => !o.sentBeforeSignal);
  const inFlight = before.filter((o) => o.answeredAfterSignal).length;
  const stopped = /"elapsedMs":(\d+),"msg":"stopped"/.exec(running.output())?.[1];
  t.log(
    `${label}: ${before.length} requests before SIGTERM (${inFlight} answered after it), ${after.length} after; exit ${code} after ${exitMs} ms (the server's own count: ${stopped} ms)`,
  );
  t.log(`${label}: after SIGTERM: ${JSON.stringify(countBy(after, (o) => o.error ?? `${o.status} ${o.connection}`))}`);
  if (process.env.SHUTDOWN_TEST_DUMP) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      `${process.env.SHUTDOWN_TEST_DUMP}.${label.replace(/\W+/g, '-')}.log`,
      `${running.output()}\n${outcomes.map((o) => JSON.stringify(o)).join('\n')}`,
    );
  }

  t.deepEqual(
    before.filter((o) => o.error || !expected(o)),
    [],
    'every request sent before SIGTERM is answered, none reset',
  );
  t.true(inFlight > 0, 'requests were in flight when the signal came');
  for (const o of after) {
    if (o.status !== undefined) t.true(expected(o), `${o.route} answered ${o.status}`);
    // A new connection is refused; a request written on a keep-alive connection while the server closed it is the race HTTP/1.1 leaves to clients (Node marks it reusedSocket).
    else t.true(o.error === 'ECONNREFUSED' || (o.reusedSocket && (o.error === 'ECONNRESET' || o.error === 'EPIPE')), `${o.route}: ${o.error}`);
  }
  t.is(code, 0);
  t.true(exitMs < EXIT_BOUND_MS, `exited after ${exitMs} ms`);
  t.notRegex(running.output(), /cut off|did not finish|"level":50/);
}

function expected(o: Outcome): boolean {
  if (o.route === '/health') return o.status === 200;
  if (o.route === '/ready') return o.status === 200 || o.status === 503;
  return o.status === 401;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

test.serial(
  'SIGTERM under 30 keep-alive clients: everything sent before it is answered, later requests are refused, exit 0 well within SHUTDOWN_TIMEOUT_MS',
  async (t) => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-shutdown-'));
    const running = await startMain({ ...LIMITS }, cwd);
    try {
      await loadThenSigterm(t, running, 'embedded defaults');
    } finally {
      running.child.kill('SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  },
);

// The process writes Redis keys under the default prefix: a Redis of its own keeps them from other tests.
test.serial('the same on PostgreSQL and Redis', async (t) => {
  if (!(await postgresAvailable()) || !redisServerInstalled()) return t.pass('PostgreSQL is not running or redis-server is not installed');
  const redis = await OwnRedisServer.start();
  const database = `contacts_shutdown_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-shutdown-'));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${database}`;
  let running: Running | undefined;
  try {
    running = await startMain({ ...LIMITS, DATABASE_URL: url.href, REDIS_URL: redis.url }, cwd);
    await loadThenSigterm(t, running, 'PostgreSQL + Redis');
  } finally {
    running?.child.kill('SIGKILL');
    await running?.exit;
    await redis.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await rm(cwd, { recursive: true, force: true });
  }
});

/** A raw connection, to send a request in pieces and read exactly what comes back. */
async function rawConnection(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => received, ended };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000) {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.serial(
  'after SIGTERM: a request already begun is answered, /ready says 503 SHUTTING_DOWN with Connection: close, idle keep-alive connections are closed, new ones refused',
  async (t) => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-shutdown-'));
    const running = await startMain({}, cwd);
    try {
      const begun = await rawConnection(running.url);
      begun.socket.write('GET /ready HTTP/1.1\r\nHost: localhost\r\n'); // the headers are not finished yet
      const idle = await rawConnection(running.url);
      idle.socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await until(() => idle.received().includes('{"status":"ok"}'), 'the first answer');
      t.regex(idle.received(), /connection: keep-alive/i);

      running.child.kill('SIGTERM');
      await idle.ended;
      t.regex(running.output(), /"msg":"shutting down"/);
      t.false(begun.socket.destroyed, 'the connection with a request under way stays open');
      const refused = await new Promise<string | undefined>((resolve) =>
        net
          .connect(Number(new URL(running.url).port), '127.0.0.1')
          .on('connect', () => resolve(undefined))
          .on('error', (e: NodeJS.ErrnoException) => resolve(e.code)),
      );
      t.is(refused, 'ECONNREFUSED');

      begun.socket.write('\r\n');
      await begun.ended;
      const [head = '', body = ''] = begun.received().split('\r\n\r\n');
      t.regex(head, /^HTTP\/1\.1 503 /);
      t.regex(head, /\r\nconnection: close/i);
      t.regex(head, /content-type: application\/problem\+json/i);
      t.like(JSON.parse(body), { status: 503, code: 'SHUTTING_DOWN' });
      t.is(await running.exit, 0);
    } finally {
      running.child.kill('SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  },
);

// What a load balancer that opens a connection per request (nginx here) sees of a drain: a GET on a
// connection opened after SIGTERM is turned away with a 503 it may retry on another server, and once
// it stops connecting (nginx counts the 503 as a failure and skips this server), the listener closes.
test.serial(
  'after SIGTERM: a GET on a new connection is answered 503 SHUTTING_DOWN with Retry-After and Connection: close; once no one connects, new connections are refused',
  async (t) => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-shutdown-'));
    const running = await startMain({}, cwd);
    try {
      const get = () =>
        new Promise<{ status?: number; headers?: http.IncomingHttpHeaders; body?: string; error?: string }>((resolve) => {
          const req = http.get(`${running.url}/health`, { agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
            res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
          });
          req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
        });
      const answers: Awaited<ReturnType<typeof get>>[] = [];
      running.child.kill('SIGTERM');
      // Connect again and again, as a load balancer would, until the server turns us away.
      for (const started = Date.now(); Date.now() - started < 5000; ) {
        const answer = await get();
        answers.push(answer);
        if (answer.status !== 200) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const turnedAway = answers.at(-1)!;
      t.log(`before the 503: ${answers.length - 1} answered 200`);
      t.deepEqual(
        answers.slice(0, -1).filter((a) => a.status !== 200),
        [],
      );
      t.is(turnedAway.status, 503, JSON.stringify(turnedAway));
      t.is(turnedAway.headers?.connection, 'close');
      t.is(turnedAway.headers?.['retry-after'], '1');
      t.regex(turnedAway.headers?.['content-type'] ?? '', /^application\/problem\+json/);
      t.like(JSON.parse(turnedAway.body!), { status: 503, code: 'SHUTTING_DOWN' });

      // No one connects now: the listener closes, and the process exits.
      t.is(await running.exit, 0);
      t.is((await get()).error, 'ECONNREFUSED');
      t.notRegex(running.output(), /cut off|did not finish|"level":50/);
    } finally {
      running.child.kill('SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  },
);

test.serial('a request that never finishes is cut off at SHUTDOWN_TIMEOUT_MS, and the process still exits', async (t) => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-shutdown-'));
  const running = await startMain({ SHUTDOWN_TIMEOUT_MS: '1200' }, cwd);
  try {
    const stuck = await rawConnection(running.url);
    stuck.socket.write('POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"em');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalledAt = performance.now();
    running.child.kill('SIGTERM');
    const code = await running.exit;
    const exitMs = Math.round(performance.now() - signalledAt);
    t.log(`exited after ${exitMs} ms`);
    await stuck.ended;
    t.is(code, 0);
    t.true(exitMs >= 800, `waited ${exitMs} ms for the request`);
    t.true(exitMs < 1200 + EXIT_BOUND_MS, `exited after ${exitMs} ms`);
    t.regex(running.output(), /"connections":1,"msg":"requests still running at the shutdown deadline were cut off"/);
  } finally {
    running.child.kill('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  }
});
