import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REQUIRE_SERVICES } from '../helpers/databases.js';

// deploy/nginx/default.conf run by a real nginx, when one is installed (the Docker replica test runs
// it in its image too): in front of a stand-in replica that answers with an X-Request-Id, as the app does.

const hasNginx = !spawnSync('nginx', ['-v'], { stdio: 'ignore' }).error;

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  server.close();
  await once(server, 'close');
  return port;
}

test("nginx's access log names the path of a ?token= link without its query, and no response names the replica", async (t) => {
  if (!hasNginx) {
    if (REQUIRE_SERVICES) t.fail('nginx is not installed and REQUIRE_SERVICES is set (.ci/run installs nginx-light)');
    else t.pass('nginx is not installed here');
    return;
  }
  const replica = createServer((req, res) => {
    res.setHeader('X-Request-Id', 'request-1234');
    res.end(`replica saw ${req.url}`);
  });
  const replicaPort = await listen(replica);
  const dir = await mkdtemp(path.join(tmpdir(), 'nginx-'));
  const lbPort = await freePort();
  try {
    const site = (await readFile('deploy/nginx/default.conf', 'utf8'))
      .replace('server app:3000', `server 127.0.0.1:${replicaPort}`)
      .replace('listen 8080;', `listen 127.0.0.1:${lbPort};`)
      .replace('/var/log/nginx/access.log', path.join(dir, 'access.log'));
    await writeFile(path.join(dir, 'site.conf'), site);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${dir};`).join(' ');
    await writeFile(
      path.join(dir, 'nginx.conf'),
      `daemon on; pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {}\n` +
        `http { ${temp} access_log ${dir}/default-access.log; include ${dir}/site.conf; }\n`,
    );
    execFileSync('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'pipe' });
    try {
      const token = 'a-one-time-token-0123456789';
      const res = await fetch(`http://127.0.0.1:${lbPort}/api/auth/verify-email?token=${token}`, {
        headers: { referer: `https://contacts.example.com/account/reset-password?token=${token}` },
      });
      t.is(res.status, 200);
      t.is(await res.text(), `replica saw /api/auth/verify-email?token=${token}`, 'the replica still gets the query');
      t.deepEqual(
        [...res.headers.keys()].filter((name) => /upstream/i.test(name)),
        [],
      );
      t.false((res.headers.get('server') ?? '').includes('/'), 'no nginx version');

      let log = '';
      for (let i = 0; i < 40 && !log.includes('request-1234'); i++) {
        await sleep(50);
        log = await readFile(path.join(dir, 'access.log'), 'utf8').catch(() => '');
      }
      t.regex(log, /"GET \/api\/auth\/verify-email HTTP\/1\.1" 200 .* request_id=request-1234 upstream="127\.0\.0\.1:\d+"/);
      const everyLog = await Promise.all(
        ['access.log', 'default-access.log', 'error.log'].map((file) => readFile(path.join(dir, file), 'utf8').catch(() => '')),
      );
      t.false(everyLog.join('\n').includes(token), 'the token is in no log');
    } finally {
      const pid = Number(await readFile(path.join(dir, 'nginx.pid'), 'utf8'));
      process.kill(pid, 'SIGQUIT');
      for (let i = 0; i < 40; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await sleep(50);
      }
    }
  } finally {
    replica.close();
    await rm(dir, { recursive: true, force: true });
  }
});
