import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS } from '../../src/infrastructure/node-flags.js';
import { PASSWORD, uniqueEmail } from '../helpers/test-app.js';

// The Docker image runs `npm run build`'s output with plain node, without tsx or .env. This builds
// the same way into a temporary folder laid out like the image (package.json, node_modules, dist)
// and drives the compiled server through signup, verification and login.

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

test('the compiled server starts with plain node, applies migrations and serves signup, verify, login and the docs', async (t) => {
  const root = process.cwd();
  const dir = await mkdtemp(path.join(tmpdir(), 'compiled-server-'));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    await copyFile(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await promisify(execFile)(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist')],
      { cwd: root },
    );

    const port = await freePort();
    child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, 'dist/src/infrastructure/main.js'], {
      cwd: dir,
      env: { ...PRODUCTION_ENV, PATH: process.env.PATH, PORT: String(port), DATA_DIR: path.join(dir, 'data'), BCRYPT_ROUNDS: '4', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    // Up to 60 s: a first start creates the embedded database, which takes long on a loaded machine.
    const waitFor = async (message: string) => {
      for (let i = 0; i < 600; i++) {
        const found = lines.find((line) => line.msg === message);
        if (found) return found;
        if (child!.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no "${message}" log line; stderr: ${stderr}`);
    };
    await waitFor('listening');

    const url = `http://127.0.0.1:${port}`;
    const post = (route: string, json: unknown) =>
      fetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const email = uniqueEmail('compiled');
    t.is((await post('/api/auth/signup', { username: 'Built', email, password: PASSWORD })).status, 201);
    // Without SMTP_URL the email goes to the outbox folder and its link to the log.
    const link = new URL((await waitFor('email written to the outbox folder')).link as string);
    t.is((await fetch(`${url}/api/auth/verify-email${link.search}`)).status, 200);
    const login = await post('/api/auth/login', { email, password: PASSWORD });
    t.is(login.status, 200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const me = await fetch(`${url}/api/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    t.like(await me.json(), { email, emailVerified: true });
    t.is((await fetch(`${url}/ready`)).status, 200);
    t.is((await fetch(`${url}/openapi.json`)).status, 200);
    t.is((await fetch(`${url}/docs/swagger-ui-bundle.js`)).status, 200);
    t.true(lines.some((line) => line.msg === 'request' && line.path === '/api/users/me' && line.status === 200 && typeof line.requestId === 'string'));

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    t.is(code, 0);
    t.truthy(lines.find((line) => line.msg === 'stopped'));
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
