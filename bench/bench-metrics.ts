import type { RequestListener } from 'node:http';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import pg from 'pg';

/** Where the benchmark reads the server's own figures; the path exists only in bench/api-server.ts. */
export const BENCH_METRICS_PATH = '/__bench/metrics';

const RESOLUTION_MS = 10;

/** What the server saw since the last reset (a "window"), plus its peak RSS since it started. */
export interface BenchMetrics {
  windowMs: number;
  /** CPU time of the whole process (event loop and worker threads) over the window, in cores. */
  cpuCores: number;
  /** How late the event loop ran a timer, beyond the sampling interval. */
  eventLoopDelay: { maxMs: number; p99Ms: number; meanMs: number };
  /** V8's collections on the event loop's thread (worker threads have their own heaps): how many, the longest pause, all pauses together. */
  gc: { count: number; maxPauseMs: number; totalPauseMs: number };
  /** Queries sent to the database during the window, counted at the driver (pg) or by knex (PGlite). */
  dbQueries: number;
  rssBytes: number;
  /** The highest RSS sampled (every 50 ms) during the window. */
  windowPeakRssBytes: number;
  /** process.memoryUsage() at that sample: how the peak splits between V8's heap and the rest. */
  windowPeakMemory: NodeJS.MemoryUsage;
  /** The high-water mark since the process started. */
  peakRssBytes: number;
  /** The V8 CPU profile of the event loop's thread over the window, when it was opened with `?profile=1`. */
  cpuProfile?: object;
}

/**
 * Wraps the server's listener for `npm run bench` only: GET BENCH_METRICS_PATH reads the current
 * window, POST reads it and starts a new one; `POST …?profile=1` also profiles the new window, and
 * the POST that closes it answers the profile with the figures. So a profile covers exactly one
 * measured scenario, not the start-up and the seeding. Only bench/api-server.ts wraps the server
 * with it, so the product's request path never sees it.
 */
export function withBenchMetrics(listener: RequestListener, knex: Knex): RequestListener {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let queries = 0;
  onEveryQuery(knex, () => {
    queries += 1;
  });
  let gc = { count: 0, maxPauseMs: 0, totalPauseMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1;
      gc.maxPauseMs = Math.max(gc.maxPauseMs, entry.duration);
      gc.totalPauseMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let start = { at: performance.now(), cpu: process.cpuUsage(), queries: 0 };
  let windowPeak = process.memoryUsage();
  const sampleMemory = () => {
    const rss = process.memoryUsage.rss();
    if (rss > windowPeak.rss) windowPeak = process.memoryUsage();
  };
  setInterval(sampleMemory, 50).unref();

  const sampledPeakRss = () => {
    sampleMemory();
    return windowPeak.rss;
  };

  const read = (): BenchMetrics => {
    const windowMs = performance.now() - start.at;
    const cpu = process.cpuUsage(start.cpu);
    const late = (ns: number) => round(Math.max(0, ns / 1e6 - RESOLUTION_MS));
    return {
      windowMs: round(windowMs),
      cpuCores: round((cpu.user + cpu.system) / 1000 / windowMs),
      eventLoopDelay: { maxMs: late(delay.max), p99Ms: late(delay.percentile(99)), meanMs: late(delay.mean) },
      gc: { count: gc.count, maxPauseMs: round(gc.maxPauseMs), totalPauseMs: round(gc.totalPauseMs) },
      dbQueries: queries - start.queries,
      rssBytes: process.memoryUsage.rss(),
      windowPeakRssBytes: sampledPeakRss(),
      windowPeakMemory: windowPeak,
      // ru_maxrss, in KiB on Linux: the high-water mark since the process started.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  };

  let profiler: Session | null = null;
  const answer = async (method: string | undefined, profileNext: boolean): Promise<BenchMetrics> => {
    const metrics = read();
    if (method !== 'POST') return metrics;
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = null;
      metrics.cpuProfile = profile;
    }
    if (profileNext) {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    delay.reset();
    gc = { count: 0, maxPauseMs: 0, totalPauseMs: 0 };
    windowPeak = process.memoryUsage();
    start = { at: performance.now(), cpu: process.cpuUsage(), queries };
    return metrics;
  };

  return (req, res) => {
    const [path, search] = (req.url ?? '').split('?');
    if (path !== BENCH_METRICS_PATH) return listener(req, res);
    void answer(req.method, new URLSearchParams(search).get('profile') === '1').then(
      (metrics) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(metrics)),
      (error: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error)),
    );
  };
}

/**
 * On PostgreSQL, every query the pg driver sends, whoever built it: knex, or a prepared statement
 * that skips knex (StatementRunner). PGlite queries all go through knex, which reports each one.
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
