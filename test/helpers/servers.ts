import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type Koa from 'koa';
import { createClient } from 'redis';
import { TEST_REDIS_URL } from './databases.js';

/** Serves a Koa app on port 0; `close` ends it. */
export async function serve(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port nothing listens on (at the time of asking). */
export async function freePort(): Promise<number> {
  const server = createNetServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A node-redis client on the shared test Redis (use a random key prefix with it). */
export async function testRedisClient() {
  const client = createClient({ url: TEST_REDIS_URL, socket: { connectTimeout: 2000 } });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * A redis-server of the test's own on a free port, which the test may pause (SIGSTOP: connections
 * stay open but nothing answers), resume or stop. Never the shared one on 6379.
 */
export async function startOwnRedis(): Promise<{ url: string; pause(): void; resume(): void; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  let failed: Error | undefined;
  child.on('error', (error) => (failed = error));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = createClient({ url, socket: { reconnectStrategy: false } });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.destroy();
      break;
    } catch (error) {
      if (failed) throw new Error(`redis-server could not be started: ${failed.message}`);
      if (i > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
