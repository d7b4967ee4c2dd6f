import type { RequestListener } from 'node:http';
import { answerClientErrors } from '../adapters/http/client-errors.js';

import { ConfigError, loadConfig, type Config } from './config.js';
import { buildContainer, type Container } from './container.js';
import { HttpServer } from './http-server.js';
import { SchemaBehind } from './start-database.js';
import { shutDownOnSignals, type ShutdownStep } from './shutdown.js';

export interface ServeOptions {
  /**
   * Wraps the app's request listener. The product passes none; the benchmark's own entry
   * (bench/api-server.ts) adds its metrics route this way, so nothing of it ships in the product.
   */
  wrapListener?: (listener: RequestListener, container: Container) => RequestListener;
}

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

/**
 * Reads the config, builds the app and listens. On SIGTERM/SIGINT it follows API.md's shutdown:
 * not ready at once, stop accepting, answer what arrived, then close the services, within
 * SHUTDOWN_TIMEOUT_MS.
 */
export async function serve(options: ServeOptions = {}): Promise<void> {
  const config = readConfig();
  const container = await buildContainer(config).catch((error: unknown) => {
    if (!(error instanceof SchemaBehind)) throw error;
    console.error(`Start refused: ${error.message}`);
    process.exit(1);
  });
  const listener = container.app.callback();
  const http = new HttpServer(options.wrapListener ? options.wrapListener(listener, container) : listener);
  answerClientErrors(http.server, container.logger);

  // What SIGTERM and SIGINT do, in this order. Requests are drained before the services they need
  // close; what remains of SHUTDOWN_TIMEOUT_MS after the drain is kept for closing them.
  const closingReserveMs = Math.min(2000, Math.floor(config.shutdownTimeoutMs / 4));
  const shutdownSteps: ShutdownStep[] = [
    { name: 'readiness', run: () => container.beginShutdown() },
    {
      name: 'http',
      run: async (deadline) => {
        const { forced } = await http.drain(deadline - closingReserveMs);
        if (forced > 0) container.logger.warn({ connections: forced }, 'requests still running at the shutdown deadline were cut off');
      },
    },
    { name: 'services', run: () => container.close() },
  ];
  shutDownOnSignals(shutdownSteps, { timeoutMs: config.shutdownTimeoutMs, logger: container.logger });

  const { port } = await http.listen(config.port);
  container.logger.info({ port, publicUrl: config.publicUrl }, 'listening');
}
