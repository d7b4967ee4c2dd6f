import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { REQUIRE_SERVICES, TEST_REDIS_URL } from './databases.js';
import { freePort } from './servers.js';
import { TcpProxy } from './tcp-proxy.js';

/** Whether a Redis answers PONG within a second. */
async function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Whether a `redis-server` binary can be started (tests that stop and restart Redis need one). */
export function redisServerInstalled(): boolean {
  const found = spawnSync('redis-server', ['--version']).status === 0;
  if (!found && REQUIRE_SERVICES) throw new Error('redis-server is not installed and REQUIRE_SERVICES is set');
  return found;
}

/** A client for inspecting what a test wrote; close it with `destroy()`. Rejects when Redis is down. */
export async function inspectRedis(url = TEST_REDIS_URL) {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Deletes the keys a test wrote under its prefix (never FLUSHDB: the server is shared). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = await inspectRedis(url);
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

/**
 * A redis-server of the test's own, on a free port, that the test may stop and start again: never
 * the shared one. Its data directory survives a restart, so a `SAVE` before `stop()` is what the
 * restarted server holds, as a Redis restarting from an older snapshot would.
 */
export class OwnRedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'own-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedisServer> {
    const server = await OwnRedisServer.create();
    await server.start();
    return server;
  }

  /** Reserves a port and a directory without starting the server. */
  static async create(): Promise<OwnRedisServer> {
    return new OwnRedisServer(await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.process) throw new Error('already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.process = child;
    // Never leave a server behind, even when the test process ends without closing it.
    process.once('exit', () => child.kill('SIGKILL'));
    for (let i = 0; i < 100; i++) {
      if (await answersPing('127.0.0.1', this.port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** SIGSTOP: connections stay open but nothing answers, like a hung Redis. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Writes the current data set to disk: a restart will load it. */
  async snapshot(): Promise<void> {
    const client = await inspectRedis(this.url);
    try {
      await client.sendCommand(['SAVE']);
    } finally {
      client.destroy();
    }
  }

  /** Kills the server (no save) and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A TCP link of the test's own to a Redis (the shared one, or an OwnRedisServer): a client given
 * `url` goes through it, and `cut(ms)` drops that client's connection and refuses new ones for
 * that long, as a network blip would, while every other client of the server goes on.
 */
export class RedisLink {
  private constructor(private readonly proxy: TcpProxy) {}

  static async open(target = TEST_REDIS_URL): Promise<RedisLink> {
    const { hostname, port } = new URL(target);
    const proxy = new TcpProxy(hostname, Number(port || 6379));
    await proxy.start();
    return new RedisLink(proxy);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.proxy.port}`;
  }

  /** Connections closed and new ones refused for `ms`, then accepted again. */
  async cut(ms: number): Promise<void> {
    await this.proxy.refuse();
    await sleep(ms);
    await this.proxy.restore();
  }

  close(): Promise<void> {
    return this.proxy.close();
  }
}
