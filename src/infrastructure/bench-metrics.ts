import type { RequestListener } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import pg from 'pg';

/** Where the benchmark reads the server's own figures; the path exists only with BENCH_METRICS=true. */
export const BENCH_METRICS_PATH = '/__bench/metrics';

const RESOLUTION_MS = 10;

/** What the server saw since the last reset (a "window"), plus its peak RSS since it started. */
export interface BenchMetrics {
  windowMs: number;
  /** CPU time of the whole process (event loop and worker threads) over the window, in cores. */
  cpuCores: number;
  /** How late the event loop ran a timer, beyond the sampling interval. */
  eventLoopDelay: { maxMs: number; p99Ms: number; meanMs: number };
  /** Queries sent to the database during the window, counted at the driver (pg) or by knex (PGlite). */
  dbQueries: number;
  rssBytes: number;
  peakRssBytes: number;
}

/**
 * Wraps the server's listener for `npm run bench` only: GET BENCH_METRICS_PATH reads the current
 * window, POST reads it and starts a new one. main calls this only when BENCH_METRICS is set, so
 * the normal request path never sees it.
 */
export function withBenchMetrics(listener: RequestListener, knex: Knex): RequestListener {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let queries = 0;
  onEveryQuery(knex, () => {
    queries += 1;
  });
  let start = { at: performance.now(), cpu: process.cpuUsage(), queries: 0 };

  const read = (): BenchMetrics => {
    const windowMs = performance.now() - start.at;
    const cpu = process.cpuUsage(start.cpu);
    const late = (ns: number) => round(Math.max(0, ns / 1e6 - RESOLUTION_MS));
    return {
      windowMs: round(windowMs),
      cpuCores: round((cpu.user + cpu.system) / 1000 / windowMs),
      eventLoopDelay: { maxMs: late(delay.max), p99Ms: late(delay.percentile(99)), meanMs: late(delay.mean) },
      dbQueries: queries - start.queries,
      rssBytes: process.memoryUsage.rss(),
      // ru_maxrss, in KiB on Linux: the high-water mark since the process started.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  };

  return (req, res) => {
    if (req.url !== BENCH_METRICS_PATH) return listener(req, res);
    const metrics = read();
    if (req.method === 'POST') {
      delay.reset();
      start = { at: performance.now(), cpu: process.cpuUsage(), queries };
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(metrics));
  };
}

/**
 * On PostgreSQL, every query the pg driver sends, whoever built it: knex, or a prepared statement
 * that skips knex (PreparedStatement). PGlite queries all go through knex, which reports each one.
 */
function onEveryQuery(knex: Knex, count: () => void): void {
  if ((knex.client.config as Knex.Config).client !== 'pg') {
    knex.on('query', count);
    return;
  }
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    count();
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

const round = (n: number) => Math.round(n * 100) / 100;
