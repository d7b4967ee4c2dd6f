import { AsyncLocalStorage } from 'node:async_hooks';

const context = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` (the rest of the middleware chain) so that everything it logs can name the request. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return context.run({ requestId }, fn);
}

/** The id of the request being served, or undefined outside one (startup, shutdown). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
