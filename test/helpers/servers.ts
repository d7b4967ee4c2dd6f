import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type Koa from 'koa';
import { createClient } from 'redis';
import { answerClientErrors } from '../../src/adapters/http/client-errors.js';
import { TEST_REDIS_URL } from './databases.js';

/** Serves a Koa app on port 0; `close` ends it. */
export async function serve(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app.callback());
  answerClientErrors(server);
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
