/**
 * The load generator, run as its own process so it never shares the server's event loop (nor the
 * harness's). The harness sends `{ specs, warmupS }`; the worker warms the server up with the same
 * requests (when warmupS > 0), says `{ ready: true }` and waits for `{ go: true }` (so the harness
 * opens the server's metrics window just before the measured run), then runs the specs side by
 * side and answers `{ results }`, one per spec, and exits.
 */
import autocannon from 'autocannon';

export interface PreparedRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  /** Every `{{seq}}` is replaced by a value unique to this request (unique emails on POST). */
  body?: string;
}

export interface LoadSpec {
  /** The server's origin, e.g. http://127.0.0.1:3000 */
  url: string;
  connections: number;
  durationS: number;
  /** Sent round-robin across all connections. */
  requests: PreparedRequest[];
  /**
   * Each request sent once, and the run over when all have answered, whatever durationS: for a
   * write that uses up what it acts on (a DELETE). The rate is then the count over the run's time.
   */
  once?: boolean;
}

export interface LoadResult {
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

let seq = 0;
const unique = `${process.pid.toString(36)}${Date.now().toString(36)}`;

function run(spec: LoadSpec, durationS = spec.durationS): Promise<LoadResult> {
  let next = 0;
  const options = {
    url: spec.url,
    connections: spec.connections,
    ...(spec.once ? { amount: spec.requests.length } : { duration: durationS }),
    timeout: 20,
    requests: [
      {
        setupRequest: (request: autocannon.Request) => {
          const prepared = spec.requests[next++ % spec.requests.length]!;
          let body = prepared.body;
          if (body?.includes('{{seq}}')) {
            seq += 1;
            body = body.replaceAll('{{seq}}', `${unique}-${seq}`);
          }
          return { ...request, method: prepared.method, path: prepared.path, headers: prepared.headers, ...(body !== undefined ? { body } : {}) };
        },
      },
    ],
  } as autocannon.Options;

  return new Promise((resolve, reject) => {
    // autocannon ends a run at its next one-second sample, so its duration of a fixed count is a
    // whole number of seconds: such a run is timed here, from its start to its last answer.
    const began = performance.now();
    let lastAnswer = began;
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
      resolve({
        // A run of a fixed count ends within a second: the average of whole seconds would count that part as one.
        requestsPerSec: Math.round(spec.once ? result.requests.total / ((lastAnswer - began) / 1000) : result.requests.average),
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        latencyMaxMs: result.latency.max,
        total: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
      });
    });
    if (spec.once) {
      instance.on('response', () => {
        lastAnswer = performance.now();
      });
    }
  });
}

export type WorkerRequest = { specs: LoadSpec[]; warmupS: number } | { go: true };
export type WorkerAnswer = { ready: true } | { results: LoadResult[] } | { error: string };

const send = (answer: WorkerAnswer) => new Promise<void>((resolve) => process.send!(answer, () => resolve()));
const inbox: WorkerRequest[] = [];
let delivered: (() => void) | undefined;
process.on('message', (message: WorkerRequest) => {
  inbox.push(message);
  delivered?.();
});
async function nextMessage(): Promise<WorkerRequest> {
  while (inbox.length === 0) await new Promise<void>((resolve) => (delivered = resolve));
  return inbox.shift()!;
}

try {
  const job = (await nextMessage()) as { specs: LoadSpec[]; warmupS: number };
  if (job.warmupS > 0) await Promise.all(job.specs.map((spec) => run(spec, job.warmupS)));
  await send({ ready: true });
  await nextMessage();
  const results = await Promise.all(job.specs.map((spec) => run(spec)));
  await send({ results });
  process.exit(0);
} catch (error) {
  await send({ error: String((error as Error).stack ?? error) });
  process.exit(1);
}
