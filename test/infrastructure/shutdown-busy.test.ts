import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMain } from '../helpers/main-process.js';

// A replica behind a load balancer gets SIGTERM while its event loop is busy: connections opened
// meanwhile wait, fully established, in the kernel's accept queue, each with a request already
// written (nginx writes the request as soon as connect() succeeds, one connection per request).
// Closing the listening socket resets everything still queued, and nginx cannot retry a POST it has
// sent: that is the 502 the rolling restart of `npm run test:replicas` once saw on
// `POST /api/auth/refresh` (`recv() failed (104: Connection reset by peer)`, 426 ms after SIGTERM).
// The drain takes in what the kernel already accepted before it stops listening, and tells
// keep-alive clients to close only after that (told earlier, they reconnect into the queue: the
// resets then move to test/infrastructure/shutdown.test.ts). Why, and what was tried before, is in
// docs/deploying.md ("Why a stopping replica keeps listening for a moment").
//
// The server is the real one (src/infrastructure/main.ts); a preload makes SIGUSR2 block its event
// loop for BUSY_MS, as a slow request or a collection pause would on a loaded machine.

const BUSY_MS = 600;
const busyOnSigusr2 = `data:text/javascript,process.on('SIGUSR2',()=>{const end=Date.now()+${BUSY_MS};while(Date.now()<end);})`;
const LIMITS = { RATE_LIMIT_AUTH_MAX: '1000000', RATE_LIMIT_LOGIN_FAILURES_MAX: '1000000', BCRYPT_ROUNDS: '4' };
const NEW_CONNECTIONS = 20;
const KEEP_ALIVE_CLIENTS = 8;

interface Result {
  kind: 'new connection' | 'keep-alive';
  status?: number;
  connection?: string;
  error?: string;
  reusedSocket?: boolean;
}

function request(agent: http.Agent | false, method: string, url: string, body?: string): Promise<Result & { reused: boolean }> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      agent,
      method,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'keep-alive', status: res.statusCode!, connection: res.headers.connection, reused: req.reusedSocket }));
      res.on('error', (error) => resolve({ kind: 'keep-alive', error: (error as NodeJS.ErrnoException).code ?? error.message, reused: req.reusedSocket }));
    });
    req.on('error', (error) => resolve({ kind: 'keep-alive', error: (error as NodeJS.ErrnoException).code ?? error.message, reused: req.reusedSocket }));
    req.end(body);
  });
}

/** A keep-alive client sending back to back on one connection until the server says `Connection: close` or a request fails. */
async function keepAliveClient(url: string, results: Result[], stop: { stop: boolean }): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    while (!stop.stop) {
      const result = await request(agent, 'GET', `${url}/health`);
      results.push({ ...result, kind: 'keep-alive', reusedSocket: result.reused });
      if (result.error || result.connection === 'close') return;
    }
  } finally {
    agent.destroy();
  }
}

test.serial('SIGTERM while the event loop is busy: every request on a connection the kernel accepted is answered, none reset', async (t) => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-shutdown-busy-'));
  const running = await startMain(LIMITS, cwd, ['--import', busyOnSigusr2]);
  try {
    const keepAlive: Result[] = [];
    const stop = { stop: false };
    const clients = Array.from({ length: KEEP_ALIVE_CLIENTS }, () => keepAliveClient(running.url, keepAlive, stop));
    while (keepAlive.length < 100) await new Promise((resolve) => setTimeout(resolve, 10));

    running.child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    running.child.kill('SIGTERM');
    // Sent while the server cannot accept: each connection is established by the kernel and queued.
    const login = JSON.stringify({ email: 'nobody@example.com', password: 'not the password' });
    const fresh = await Promise.all(
      Array.from({ length: NEW_CONNECTIONS }, async () => ({
        ...(await request(false, 'POST', `${running.url}/api/auth/login`, login)),
        kind: 'new connection' as const,
      })),
    );
    const code = await running.exit;
    stop.stop = true;
    await Promise.all(clients);

    const count = (results: Result[]) => {
      const counts: Record<string, number> = {};
      for (const r of results) counts[r.error ?? `${r.status} ${r.connection}`] = (counts[r.error ?? `${r.status} ${r.connection}`] ?? 0) + 1;
      return counts;
    };
    t.log(`new connections during the busy loop: ${JSON.stringify(count(fresh))}`);
    t.log(
      running
        .output()
        .split('\n')
        .filter((l) => /busy|shutting|login|stopped|conn|close|serr/.test(l))
        .join('\n'),
    );
    t.log(`keep-alive requests: ${JSON.stringify(count(keepAlive))}`);

    t.deepEqual(
      fresh.filter((r) => r.status !== 401 || r.connection !== 'close'),
      [],
      'each queued connection gets its answer, with Connection: close',
    );
    t.deepEqual(
      keepAlive.filter((r) => r.error),
      [],
      'no request on a keep-alive connection is reset',
    );
    t.true(
      keepAlive.some((r) => r.connection === 'close'),
      'the keep-alive clients were told to close',
    );
    t.is(code, 0);
    t.notRegex(running.output(), /cut off|did not finish|"level":50/);
  } finally {
    running.child.kill('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  }
});
