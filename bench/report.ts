/** The shape of bench/results/latest.json and its markdown rendering. */
import type { LoadResult } from './load-worker.js';

export interface ScenarioResult extends Partial<LoadResult> {
  key: string;
  name: string;
  server: 'api' | 'reference';
  connections: number;
  durationS: number;
  status: 'ok' | 'route missing';
  probeStatus?: number;
  /** Database queries the API sent per request, over the measured window (API only). */
  dbQueriesPerRequest?: number | null;
  /** CPU of the whole API process, in cores, over the window (API only). */
  cpuCores?: number;
  /** The API's highest RSS during the window, in MB (API only). */
  peakRssMB?: number;
  /** How that peak split: V8's heap (total, used) and memory outside it, in MB (API only). */
  peakMemoryMB?: { heapTotal: number; heapUsed: number; external: number };
  eventLoopDelayMaxMs?: number;
  /** CPU time of the server process per request over the window, in µs (from /proc, both servers). */
  cpuUsPerRequest?: number;
  /** Redis work per request (a sequential probe after the load; see redisProbe in run.ts). */
  redis?: { roundTrips: number; commands: number };
  /** CPU of the redis-server per request over the window, in µs (--own-redis only: no other client). */
  redisCpuUsPerRequest?: number;
  /** CPU of the machine's PostgreSQL processes per request over the window, in µs (local PostgreSQL). */
  dbCpuUsPerRequest?: number;
  /** How many interleaved rounds the row combines (medians of rates and latencies, sums of counts). */
  rounds?: number;
  /** Ours divided by the reference's, for the same scenario: the median of the rounds' ratios, and each round's. */
  vsReference?: { requestsPerSec: number; latencyP99: number; rounds?: Array<{ requestsPerSec: number; latencyP99: number }> };
}

export interface Target {
  name: string;
  measured: string;
  /** null when it could not be measured in this run. */
  met: boolean | null;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: Record<string, unknown>;
  setup: {
    api: Record<string, string>;
    reference: Record<string, string> | null;
    users: number;
    contactsPerUser: number;
    contactsRoutes: boolean;
  };
  scenarios: ScenarioResult[];
  /** null when the run skipped it (--only). */
  burst: {
    name: string;
    durationS: number;
    eventLoopDelayMaxMs: number;
    eventLoopDelayP99Ms: number;
    /** The same measure in a Node.js process with no work of its own, beside the burst: the machine's share of the delay. */
    idleProcessDelay?: { maxMs: number; p99Ms: number };
    /** The API's collections on its event loop's thread during the burst. */
    gc?: { count: number; maxPauseMs: number; totalPauseMs: number };
    cpuCores: number;
    peakRssMB: number;
    login: LoadResult;
    reads: LoadResult;
  } | null;
  server: {
    peakRssMB: number;
    /** The API's highest RSS in each measured window (scenarios, the burst, each vCard import and the export), highest first. */
    peakRssByScenario?: { scenario: string; peakRssMB: number }[];
    rssAtEndMB: number;
    referencePeakRssMB: number | null;
    rssAfterSeedingMB?: number;
    /** The embedded default's pass (--embedded), when the main run used PostgreSQL or Redis. */
    embedded?: {
      rssAfterStartMB: number;
      rssAfterSeedingMB: number;
      peakRssMB: number;
      rssAtEndMB: number;
      getRequestsPerSec: number;
      listRequestsPerSec: number;
    } | null;
  };
  targets: Target[];
  notes: string[];
}

const n = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

export function markdownReport(results: BenchResults): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(`## Benchmark — ${results.startedAt}${results.quick ? ' (--quick)' : ''}`);
  lines.push('');
  lines.push(
    `${m.cpus} × ${m.cpuModel}, node ${m.node}, load average at start ${(m.loadAverageAtStart as number[]).join(' / ')}. ` +
      `API (${results.setup.api.code}): ${results.setup.api.database}, ${results.setup.api.redis}, bcrypt ${results.setup.api.bcryptRounds}. ` +
      `Reference: ${results.setup.reference ? `${results.setup.reference.database}, ${results.setup.reference.redis}` : 'not run'}.`,
  );
  lines.push('');
  lines.push(
    '| scenario | server | conns | req/s | p50 ms | p99 ms | non-2xx | DB queries/req | Redis round trips/req | Redis commands/req | CPU µs/req | Redis CPU µs/req | DB CPU µs/req | CPU cores | peak RSS MB | vs reference (req/s, p99) | rounds (req/s, p99) |',
  );
  lines.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|');
  for (const r of results.scenarios) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.name} | ${r.server} | ${r.connections} | ${r.status} | | | | | | | | | | | | | |`);
      continue;
    }
    const vs = r.vsReference ? `${r.vsReference.requestsPerSec}×, ${r.vsReference.latencyP99}×` : '';
    const rounds = r.vsReference?.rounds ? r.vsReference.rounds.map((x) => `${x.requestsPerSec}×/${x.latencyP99}×`).join('; ') : '';
    lines.push(
      `| ${r.name} | ${r.server} | ${r.connections} | ${n(r.requestsPerSec)} | ${n(r.latencyP50Ms)} | ${n(r.latencyP99Ms)} | ` +
        `${n(r.non2xx)}${r.errors ? ` (+${r.errors} errors)` : ''} | ${n(r.dbQueriesPerRequest, 2)} | ${n(r.redis?.roundTrips, 2)} | ${n(r.redis?.commands, 2)} | ${n(r.cpuUsPerRequest)} | ${n(r.redisCpuUsPerRequest)} | ${n(r.dbCpuUsPerRequest)} | ${n(r.cpuCores, 2)} | ${n(r.peakRssMB, 1)} | ${vs} | ${rounds} |`,
    );
  }
  const b = results.burst;
  if (b) lines.push('');
  if (b)
    lines.push(
      `**Login burst** (${b.name}, ${b.durationS} s): event loop worst delay ${b.eventLoopDelayMaxMs} ms (p99 ${b.eventLoopDelayP99Ms} ms)` +
        `${b.idleProcessDelay ? ` (an idle Node.js process beside it: worst ${b.idleProcessDelay.maxMs} ms, p99 ${b.idleProcessDelay.p99Ms} ms)` : ''}, ` +
        `${b.gc ? `${b.gc.count} garbage collections on the event loop's thread (longest pause ${b.gc.maxPauseMs} ms, ${b.gc.totalPauseMs} ms in all), ` : ''}` +
        `CPU ${b.cpuCores} cores, peak RSS ${b.peakRssMB} MB; logins ${n(b.login.requestsPerSec)}/s (p99 ${n(b.login.latencyP99Ms)} ms, non-2xx ${b.login.non2xx}), ` +
        `reads ${n(b.reads.requestsPerSec)}/s (p99 ${n(b.reads.latencyP99Ms)} ms, non-2xx ${b.reads.non2xx}).`,
    );
  lines.push('');
  lines.push(
    `**Server memory**: peak RSS ${results.server.peakRssMB} MB over the whole run (${results.server.rssAtEndMB} MB at the end)` +
      `${results.server.rssAfterSeedingMB !== undefined ? `, ${results.server.rssAfterSeedingMB} MB after seeding` : ''}` +
      `${results.server.referencePeakRssMB !== null ? `; reference server peak ${results.server.referencePeakRssMB} MB` : ''}.`,
  );
  const byScenario = results.server.peakRssByScenario ?? [];
  if (byScenario.length > 0) {
    lines.push('');
    lines.push(`**API peak RSS by scenario** (highest first): ${byScenario.map((p) => `${p.scenario} ${p.peakRssMB} MB`).join('; ')}.`);
  }
  const e = results.server.embedded;
  if (e) {
    lines.push('');
    lines.push(
      `**Embedded default** (PGlite, in-process cache and limits; --embedded): RSS ${e.rssAfterStartMB} MB after start, ` +
        `${e.rssAfterSeedingMB} MB after seeding, peak ${e.peakRssMB} MB (${e.rssAtEndMB} MB at the end) under ` +
        `GET /api/contacts/:id (${n(e.getRequestsPerSec)} req/s) and GET /api/contacts (${n(e.listRequestsPerSec)} req/s).`,
    );
  }
  lines.push('');
  lines.push('| target | measured | met |');
  lines.push('|---|---|:-:|');
  for (const t of results.targets) lines.push(`| ${t.name} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`);
  if (results.notes.length > 0) {
    lines.push('');
    for (const note of results.notes) lines.push(`- ${note}`);
  }
  return lines.join('\n');
}
