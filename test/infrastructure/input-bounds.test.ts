import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PRODUCTION_NODE_FLAGS } from '../../src/infrastructure/node-flags.js';

// The server as production starts it (PRODUCTION_NODE_FLAGS: the heap cap), on the embedded
// defaults (PGlite, in-process limits and throttles), fed logins whose email is a megabyte.

async function startProductionLike(cwd: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, '--import', import.meta.resolve('tsx'), path.resolve('src/infrastructure/main.ts')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      BCRYPT_ROUNDS: '4',
      // The per-IP budget would refuse most of the flood before its body is read; the point is what reading it costs.
      RATE_LIMIT_AUTH_MAX: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  for (let waited = 0; waited < 60_000; waited += 100) {
    const line = output.split('\n').find((l) => l.includes('"listening"'));
    if (line) return { child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, output: () => output };
    if (child.exitCode !== null) throw new Error(`main exited with ${child.exitCode}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`main did not start: ${output}`);
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
}

test('150 logins with a megabyte of email all answer 4xx, the process lives, and its RSS grows by less than 100 MB', async (t) => {
  if (process.platform !== 'linux') return t.pass('RSS is read from /proc');
  const cwd = await mkdtemp(path.join(tmpdir(), 'contacts-bounds-'));
  const server = await startProductionLike(cwd);
  try {
    const filler = 'a'.repeat(1_000_000);
    // A different address each time, as an attacker would send, so nothing can be counted under one key.
    const login = (i: number) => {
      const email = `${i}.${filler}@example.com`;
      const password = 'a perfectly fine passphrase';
      return fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': i % 2 ? 'application/x-www-form-urlencoded' : 'application/json' },
        body: i % 2 ? new URLSearchParams({ username: email, password }).toString() : JSON.stringify({ email, password }),
      }).then(async (res) => ({ status: res.status, type: res.headers.get('content-type'), body: await res.text() }));
    };

    // Warm up (first requests load code and fill pools), then measure from there.
    for (let i = 0; i < 4; i++) await login(i);
    const before = await rssBytes(server.child.pid!);
    const statuses: number[] = [];
    let peak = before;
    for (let batch = 0; batch < 15; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login(batch * 10 + i)));
      for (const answer of answers) {
        statuses.push(answer.status);
        t.is(answer.type, 'application/problem+json');
      }
      peak = Math.max(peak, await rssBytes(server.child.pid!));
    }
    t.is(statuses.length, 150);
    t.deepEqual([...new Set(statuses)], [422], 'every one refused as invalid, none counted, none 5xx');
    const health = await fetch(`${server.url}/health`);
    t.is(health.status, 200);
    t.is(server.child.exitCode, null);
    const grown = peak - before;
    t.log(`RSS before ${(before / 2 ** 20).toFixed(0)} MB, peak ${(peak / 2 ** 20).toFixed(0)} MB, grown ${(grown / 2 ** 20).toFixed(0)} MB`);
    t.true(grown < 100 * 2 ** 20, `RSS grew by ${(grown / 2 ** 20).toFixed(0)} MB`);
    t.notRegex(server.output(), /heap out of memory/);

    // main installs the HTTP adapter's answer to what Node's parser refuses.
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let raw = '';
    socket.on('data', (chunk) => (raw += chunk));
    socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await once(socket, 'close');
    t.regex(raw, /^HTTP\/1\.1 431 [\s\S]*\r\nContent-Type: application\/problem\+json\r\n[\s\S]*"code":"HEADERS_TOO_LARGE"/);
  } finally {
    server.child.kill('SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  }
});
