import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientErrors } from '../adapters/http/client-errors.js';

import { withBenchMetrics } from './bench-metrics.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { buildContainer, SchemaBehind } from './container.js';

const SHUTDOWN_GRACE_MS = 10_000;

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const container = await buildContainer(config).catch((error: unknown) => {
  if (!(error instanceof SchemaBehind)) throw error;
  console.error(`Start refused: ${error.message}`);
  process.exit(1);
});
const listener = container.app.callback();
const server = createServer(config.benchMetrics ? withBenchMetrics(listener, container.knex) : listener);
answerClientErrors(server, container.logger);
server.listen(config.port, () => {
  const { port } = server.address() as AddressInfo;
  container.logger.info({ port, publicUrl: config.publicUrl }, 'listening');
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  container.logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
  const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  force.unref();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await container.close();
  container.logger.info({}, 'stopped');
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
