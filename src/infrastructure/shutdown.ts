import type { Logger } from '../application/ports/logger.js';

/** One thing to do, in order, when the process is asked to stop. */
export interface ShutdownStep {
  name: string;
  /**
   * Does the step; `deadline` (epoch ms) is when the process exits whatever is left, so a step that
   * waits (for requests, for an email being sent) should give up before it.
   */
  run(deadline: number): Promise<void> | void;
}

export interface ShutdownOptions {
  timeoutMs: number;
  logger: Logger;
  /** process.exit, unless a test says otherwise. */
  exit?: (code: number) => void;
}

/**
 * Runs the steps one after the other, then exits 0. A step that fails is logged and the next one
 * runs: a Redis that will not close must not keep the database pool open. Whatever is still running
 * after `timeoutMs` is abandoned and the process exits 1.
 */
export async function shutDown(steps: readonly ShutdownStep[], reason: string, options: ShutdownOptions): Promise<void> {
  const { logger, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const started = Date.now();
  const deadline = started + timeoutMs;
  logger.info({ reason, timeoutMs }, 'shutting down');
  const hardStop = setTimeout(() => {
    logger.error({ elapsedMs: Date.now() - started }, `shutdown did not finish within ${timeoutMs} ms: exiting anyway`);
    exit(1);
  }, timeoutMs);
  hardStop.unref();
  for (const step of steps) {
    try {
      await step.run(deadline);
    } catch (error) {
      logger.error({ step: step.name, err: error instanceof Error ? error.message : String(error) }, 'shutdown step failed');
    }
  }
  clearTimeout(hardStop);
  logger.info({ elapsedMs: Date.now() - started }, 'stopped');
  exit(0);
}

/** Shuts down on the first SIGTERM or SIGINT; later signals are ignored while the steps run. */
export function shutDownOnSignals(steps: readonly ShutdownStep[], options: ShutdownOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void shutDown(steps, signal, options);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
