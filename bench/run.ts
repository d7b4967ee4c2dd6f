/**
 * `npm run bench [-- --quick] [-- --tsx] [-- --cpu-prof] [-- --only list,get] [-- --note "text"]`
 *
 * Builds the API as production runs it, with the benchmark's metrics route in front (bench/api-server.ts,
 * `tsc -p bench/tsconfig.build.json` into dist-bench/; `--tsx` runs the sources through tsx instead),
 * starts it as a child process with NODE_ENV=production (rate limits raised out of the way), seeds users and contacts through its routes, starts the reference server on the
 * same data, and drives both with autocannon from a separate process. The compared scenarios run in
 * five interleaved rounds (API, reference; reference, API; …), and a ratio is the median of
 * the rounds' ratios, so that a shared machine's drift falls on both servers alike. Prints a
 * markdown table and writes bench/results/latest.json. See the README's "Benchmark" section.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { createClient } from 'redis';
import { CONFIG_VARIABLES } from '../src/infrastructure/config.js';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS } from '../src/infrastructure/node-flags.js';
import { BENCH_METRICS_PATH, type BenchMetrics } from './bench-metrics.js';
import type { LoadResult, LoadSpec, PreparedRequest, WorkerAnswer } from './load-worker.js';
import { ReferenceStore } from './reference-store.js';
import { markdownReport, type BenchResults, type ScenarioResult, type Target } from './report.js';
import { davNote, davTargets, runDavScenarios } from './dav-scenarios.js';
import { SEARCH_BOOK_SIZE, seedSearchBook } from './search-scenario.js';
import { contactBody, seedContacts, seedUsers, type SeededUser } from './seed.js';
import { hostileImportNote, hostileImportTargets, runHostileImport, runVCardScenarios, vcardNote, vcardTargets } from './vcard-scenarios.js';
import { startSmtpFolder } from './smtp-folder.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const TSX = pathToFileURL(require.resolve('tsx')).href;
const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';
const UNLIMITED = '1000000000';

// ---------------------------------------------------------------------------------------------
// Options

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`usage: npm run bench [-- options]
  --quick       a few seconds per scenario, one round, less data: a smoke run, not a measurement
  --tsx         run the API from its sources through tsx instead of the compiled build in dist/
  --cpu-prof    write V8 CPU profiles: the API's per measured scenario (bench/results/api-<key>.cpuprofile)
                and the reference server's (bench/results/reference/); open them in Chrome DevTools,
                or sum them with npm run bench:profile
  --only KEYS   run only these of list,get,me,create,patch,delete,login,burst,vcard,vcard-hostile,search,dav (comma-separated); the results
                go to bench/results/only.json, leaving latest.json to full runs
  --note TEXT   recorded in the results (e.g. "shared machine, other jobs running")
  --own-redis   start a redis-server of the run's own (on a free port) for both servers, so the
                Redis counts per request see no other client; implies a REDIS_URL for the API
  --embedded    also measure the embedded default (PGlite, in-process cache and limits): its RSS
                after seeding and under the two contact reads, beside the main run's`);
  process.exit(0);
}
const quick = args.includes('--quick');
const ownRedis = args.includes('--own-redis');
const embeddedPass = args.includes('--embedded');
const fromSources = args.includes('--tsx');
const cpuProf = args.includes('--cpu-prof');
const SCENARIO_KEYS = ['list', 'get', 'me', 'create', 'patch', 'delete', 'login', 'burst', 'vcard', 'vcard-hostile', 'search', 'dav'] as const;
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? new Set((args[onlyIndex + 1] ?? '').split(',').filter(Boolean)) : null;
if (only && (only.size === 0 || [...only].some((key) => !(SCENARIO_KEYS as readonly string[]).includes(key)))) {
  console.error(`--only takes a comma-separated list of ${SCENARIO_KEYS.join(', ')}`);
  process.exit(2);
}
const runs = (key: (typeof SCENARIO_KEYS)[number]) => !only || only.has(key);
const noteIndex = args.indexOf('--note');
const userNote = noteIndex >= 0 ? args[noteIndex + 1] : undefined;
const cores = os.availableParallelism();
const plan = quick
  ? { durationS: 3, rounds: 1, roundS: 3, warmupS: 1, users: 4, contactsPerUser: 30 }
  : { durationS: 10, rounds: 5, roundS: 5, warmupS: 2, users: 10, contactsPerUser: 100 };
const READ_CONNECTIONS = 50;
const CREATE_CONNECTIONS = 20;
const LOGIN_CONNECTIONS = 2 * cores;
const BURST_READ_CONNECTIONS = 20;
/** Scenarios both servers run, compared request for request. */
const COMPARED = ['list', 'get', 'me', 'create', 'patch', 'delete'] as const;
/** Read scenarios held to the ratio targets. */
const READS = ['get', 'list', 'me'] as const;
/** Write scenarios held to their own ratio target. */
const WRITES = ['create', 'patch', 'delete'] as const;
/** Contacts each round of DELETE removes on each server, each once (and the run's time is what they take). */
const DELETES_PER_ROUND = quick ? 600 : 6000;
/** Requests of the Redis probe after a scenario's last round. */
const REDIS_PROBE_REQUESTS = 50;

const env = process.env;
const tag = randomBytes(4).toString('hex');
const jwtSecret = randomBytes(48).toString('base64url');
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Processes

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

function startNode(script: string, options: { env: NodeJS.ProcessEnv; cwd: string; label: string; ipc?: boolean; nodeArgs?: string[] }) {
  const loader = script.endsWith('.ts') ? ['--import', TSX] : [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, script], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  children.push(child);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      if (options.label !== 'load') process.stderr.write(`  [${options.label}] ${line}\n`);
    }
  };
  child.stderr!.on('data', keep);
  if (options.label !== 'reference') child.stdout!.on('data', keep);
  child.once('exit', () => children.splice(children.indexOf(child), 1));
  return { child, tail };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The production build, as `npm run build` makes it. */
async function build(): Promise<string> {
  log('building the API (tsc -p bench/tsconfig.build.json → dist-bench/)');
  const tsc = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join('bench', 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  tsc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  tsc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(tsc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the build failed (run with --tsx to benchmark the sources anyway):\n${output}`);
  return path.join(ROOT, 'dist-bench', 'bench', 'api-server.js');
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilHealthy(url: string, child: ChildProcess, tail: string[]): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}) before answering:\n${tail.join('\n')}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the API did not answer ${url}/health within 60 s:\n${tail.join('\n')}`);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); null elsewhere. */
async function cpuMsOf(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_S : null;
}
const CLOCK_TICKS_PER_S = 100;

/** Peak RSS of another process from /proc (Linux); null elsewhere. */
async function peakRssOf(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib ? Number(kib) * 1024 : null;
}

// ---------------------------------------------------------------------------------------------
// Load

/** Runs specs side by side in a fresh load-generator process; `between` runs after the warm-up, just before the measured run. */
async function load(specs: LoadSpec[], warmupS: number, between?: () => Promise<unknown>): Promise<LoadResult[]> {
  const { child, tail } = startNode(path.join(ROOT, 'bench', 'load-worker.ts'), { env, cwd: ROOT, label: 'load', ipc: true });
  const exited = once(child, 'exit');
  const answers: WorkerAnswer[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (answer: WorkerAnswer) => {
    answers.push(answer);
    wake?.();
  });
  const nextAnswer = async (): Promise<WorkerAnswer> => {
    while (answers.length === 0) {
      const arrived = new Promise<void>((resolve) => (wake = resolve));
      const result = await Promise.race([arrived.then(() => 'message' as const), exited.then(() => 'exit' as const)]);
      if (result === 'exit' && answers.length === 0) throw new Error(`the load generator exited early:\n${tail.join('\n')}`);
    }
    return answers.shift()!;
  };
  child.send({ specs, warmupS });
  let answer = await nextAnswer();
  if ('ready' in answer) {
    await between?.();
    child.send({ go: true });
    answer = await nextAnswer();
  }
  if ('error' in answer) throw new Error(`the load generator failed: ${answer.error}`);
  if (!('results' in answer)) throw new Error('the load generator answered out of turn');
  await exited;
  return answer.results;
}

/** Reads the API's window; `reset` starts a new one, profiled with `profile`. */
async function metrics(api: string, reset: boolean, profile = false): Promise<BenchMetrics> {
  const response = await fetch(api + BENCH_METRICS_PATH + (profile ? '?profile=1' : ''), { method: reset ? 'POST' : 'GET' });
  if (!response.ok) throw new Error(`${BENCH_METRICS_PATH} answered ${response.status}: was the API started from bench/api-server.ts?`);
  return (await response.json()) as BenchMetrics;
}

const PROFILE_DIR = path.join(ROOT, 'bench', 'results');
async function saveProfile(name: string, profile: object): Promise<void> {
  await writeFile(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
}

// ---------------------------------------------------------------------------------------------
// The run

interface Scenario {
  key: 'list' | 'get' | 'create' | 'patch' | 'delete' | 'me' | 'login' | `search-${string}`;
  name: string;
  connections: number;
  warmupS: number;
  requests: (base: 'api' | 'reference') => PreparedRequest[];
  /** Rows the scenario needs that the API may not have (no contacts route yet). */
  needsContacts?: boolean;
  /**
   * Each request acts once (a DELETE): `requests` gives a fresh batch each time, whose first is the
   * probe and last REDIS_PROBE_REQUESTS the Redis probe's; the rest are sent once each (LoadSpec.once).
   */
  once?: boolean;
}

/** Starts the API as production runs it, on a fresh data folder, and waits until it answers. */
async function launchApi(entry: string, options: { databaseUrl: string; redisUrl: string; label: string }) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'contacts-bench-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  // Production requires SMTP_URL: a local SMTP server writes each email into DATA_DIR/outbox/.
  const smtp = await startSmtpFolder(path.join(dataDir, 'outbox'));
  cleanups.push(() => smtp.close());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiEnv: NodeJS.ProcessEnv = { ...env };
  for (const { variable } of CONFIG_VARIABLES) delete apiEnv[variable];
  Object.assign(apiEnv, PRODUCTION_ENV, {
    NODE_ENV: 'production',
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    SMTP_URL: smtp.url,
    RATE_LIMIT_CONTACTS_MAX: UNLIMITED,
    RATE_LIMIT_CONTACT_CREATE_MAX: UNLIMITED,
    RATE_LIMIT_AUTH_MAX: UNLIMITED,
    RATE_LIMIT_LOGIN_FAILURES_MAX: UNLIMITED,
    RATE_LIMIT_DAV_MAX: UNLIMITED,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    // Run from the data folder so no .env is read: every other variable keeps its default.
    TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
  });
  // With the flags production runs with (the Dockerfile's CMD).
  const api = startNode(entry, { env: apiEnv, cwd: dataDir, label: options.label, nodeArgs: [...PRODUCTION_NODE_FLAGS] });
  await waitUntilHealthy(url, api.child, api.tail);
  await metrics(url, false);
  return { url, dataDir, child: api.child };
}

/** A redis-server of the run's own, without persistence, stopped with the run. */
async function startOwnRedis(): Promise<string> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  // Stopped after the clean-ups that still talk to it (they run last first).
  cleanups.push(() => stop(child));
  child.once('error', () => {});
  for (let i = 0; i < 100; i++) {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    try {
      await client.connect();
      client.destroy();
      log(`own redis-server on port ${port}`);
      return `redis://127.0.0.1:${port}`;
    } catch {
      await sleep(50);
    }
  }
  throw new Error('--own-redis: redis-server did not start (is it installed?)');
}

/**
 * Redis work per request, from Redis's own counters (INFO stats) around `count` requests sent one
 * at a time: with nothing else in flight, each batch a server writes to Redis is one read event
 * there, so reads per request are round trips per request; commands are those Redis executed, a
 * script's inner commands included. The probe's own INFO (one read, one command) is taken off.
 * Exact only when no other client uses that Redis meanwhile (--own-redis makes sure).
 */
async function redisProbe(
  redisUrl: string,
  base: string,
  requests: PreparedRequest[],
  count = REDIS_PROBE_REQUESTS,
): Promise<{ roundTrips: number; commands: number }> {
  const client = createClient({ url: redisUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const stats = async () => {
      const info = await client.info('stats');
      const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
      return { reads: field('total_reads_processed'), commands: field('total_commands_processed') };
    };
    const before = await stats();
    for (let i = 0; i < count; i++) {
      const r = requests[i % requests.length]!;
      const body = r.body?.replaceAll('{{seq}}', `probe-${tag}-${i}-${Math.random().toString(36).slice(2)}`);
      const response = await fetch(base + r.path, { method: r.method, headers: r.headers, ...(body !== undefined ? { body } : {}) });
      await response.arrayBuffer();
    }
    const after = await stats();
    return { roundTrips: round((after.reads - before.reads - 1) / count, 2), commands: round((after.commands - before.commands - 1) / count, 2) };
  } finally {
    client.destroy();
  }
}

/**
 * One row for a scenario's rounds on one server: the medians of the rates, latencies and CPU figures,
 * the sums of the counts; the rest (memory, the Redis probe) from the last round.
 */
function combineRounds(rows: ScenarioResult[]): ScenarioResult {
  const last = rows[rows.length - 1]!;
  if (rows.length === 1 || rows.some((row) => row.status !== 'ok')) return rows.find((row) => row.status !== 'ok') ?? last;
  const med = (pick: (row: ScenarioResult) => number | null | undefined) => {
    const values = rows.map(pick).filter((v): v is number => typeof v === 'number');
    return values.length === rows.length ? round(median(values), 2) : undefined;
  };
  const sum = (pick: (row: ScenarioResult) => number | undefined) => rows.reduce((total, row) => total + (pick(row) ?? 0), 0);
  return {
    ...last,
    durationS: sum((row) => row.durationS),
    rounds: rows.length,
    requestsPerSec: med((row) => row.requestsPerSec),
    latencyP50Ms: med((row) => row.latencyP50Ms),
    latencyP99Ms: med((row) => row.latencyP99Ms),
    latencyMaxMs: Math.max(...rows.map((row) => row.latencyMaxMs ?? 0)),
    total: sum((row) => row.total),
    non2xx: sum((row) => row.non2xx),
    errors: sum((row) => row.errors),
    timeouts: sum((row) => row.timeouts),
    cpuUsPerRequest: med((row) => row.cpuUsPerRequest),
    redisCpuUsPerRequest: med((row) => row.redisCpuUsPerRequest),
    dbCpuUsPerRequest: med((row) => row.dbCpuUsPerRequest),
    dbQueriesPerRequest: med((row) => row.dbQueriesPerRequest),
    cpuCores: med((row) => row.cpuCores),
    peakRssMB: Math.max(...rows.map((row) => row.peakRssMB ?? 0)) || undefined,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU time a redis-server has used so far, in ms (INFO cpu: its main thread and its helpers). */
const redisClients = new Map<string, ReturnType<typeof createClient>>();
async function redisCpuMs(url: string): Promise<number | null> {
  let client = redisClients.get(url);
  if (!client) {
    client = createClient({ url });
    client.on('error', () => {});
    await client.connect();
    redisClients.set(url, client);
    cleanups.push(async () => client!.destroy());
  }
  const info = await client.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  const total = seconds('used_cpu_user') + seconds('used_cpu_sys');
  return Number.isFinite(total) ? total * 1000 : null;
}

/**
 * CPU time each PostgreSQL process on this machine has used so far, in ms, by pid, from /proc
 * (Linux; null elsewhere or when PostgreSQL is not local). See postgresCpuSince.
 */
async function postgresCpuMs(): Promise<Map<string, number> | null> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  const byPid = new Map<string, number>();
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat.includes('(postgres)')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byPid.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S);
  }
  return byPid.size > 0 ? byPid : null;
}

/** PostgreSQL's CPU between two samples: of the processes alive at the second (a backend that exited meanwhile took its figure along). */
function postgresCpuSince(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/**
 * A Node.js process that does nothing but watch its own event loop, as the API's metrics do: how
 * late a timer runs on this machine, under this load, in a process with no work of its own.
 */
function startIdleWatcher(): { start(): void; stop(): Promise<{ maxMs: number; p99Ms: number }> } {
  const code = `
    const { monitorEventLoopDelay } = require('node:perf_hooks');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const late = (ns) => Math.round(Math.max(0, ns / 1e6 - 10) * 100) / 100;
    process.on('message', (m) => {
      if (m === 'start') delay.reset();
      else process.send({ maxMs: late(delay.max), p99Ms: late(delay.percentile(99)) }, () => process.exit(0));
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(child);
  child.once('exit', () => children.splice(children.indexOf(child), 1));
  return {
    start: () => child.send('start'),
    stop: async () => {
      const answer = once(child, 'message') as Promise<[{ maxMs: number; p99Ms: number }]>;
      child.send('stop');
      return (await answer)[0];
    },
  };
}

const json = { 'content-type': 'application/json' };
const bearer = (user: SeededUser) => ({ authorization: `Bearer ${user.accessToken}` });

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  const notes: string[] = [];
  if (userNote) notes.push(userNote);
  if (quick) notes.push(`--quick: ${plan.durationS} s per scenario, ${plan.users} users × ${plan.contactsPerUser} contacts; a smoke run, not a measurement.`);

  // --- the API ---------------------------------------------------------------------------------
  if (ownRedis) env.REDIS_URL = await startOwnRedis();
  const entry = fromSources ? path.join(ROOT, 'bench', 'api-server.ts') : await build();
  const apiDatabaseUrl = env.DATABASE_URL ? await isolatedSchema(env.DATABASE_URL, `bench_api_${tag}`) : '';
  const apiSetup = {
    code: fromSources ? 'sources through tsx (--tsx)' : 'compiled build (dist/)',
    database: apiDatabaseUrl ? `PostgreSQL (DATABASE_URL, schema bench_api_${tag})` : 'embedded PGlite (DATABASE_URL unset)',
    redis: env.REDIS_URL ? `Redis (${ownRedis ? "the run's own redis-server, --own-redis" : 'REDIS_URL'})` : 'in-process cache (REDIS_URL unset)',
    bcryptRounds: 'default (BCRYPT_ROUNDS unset)',
  };
  const referenceProfileDir = path.join(PROFILE_DIR, 'reference');
  if (cpuProf) await mkdir(referenceProfileDir, { recursive: true });
  if (cpuProf) {
    notes.push(
      '--cpu-prof: both servers ran under the V8 profiler (slower). The API has one profile per measured window, bench/results/api-<scenario>.cpuprofile (its event loop only); the reference server one for its whole life, in bench/results/reference/.',
    );
  }
  log(`starting the API (${apiSetup.code}): ${apiSetup.database}, ${apiSetup.redis}`);
  const { url: apiUrl, dataDir, child: apiChild } = await launchApi(entry, { databaseUrl: apiDatabaseUrl, redisUrl: env.REDIS_URL ?? '', label: 'api' });

  const apiPid = apiChild.pid;

  // --- seeding -------------------------------------------------------------------------------
  log(`seeding ${plan.users} users (signup at the default bcrypt cost, verify from the outbox, login)`);
  const users = await seedUsers(apiUrl, path.join(dataDir, 'outbox'), plan.users, tag);
  log(`seeding ${plan.contactsPerUser} contacts per user`);
  const seeded = await seedContacts(apiUrl, users, plan.contactsPerUser, tag);
  const afterSeeding = await metrics(apiUrl, false);
  if (!seeded.apiHasContacts) {
    notes.push(
      `POST /api/contacts answered ${seeded.probeStatus}: the contacts routes are missing in this build, so their API scenarios report "route missing"; the reference server still ran on generated rows.`,
    );
  }

  // --- the reference server --------------------------------------------------------------------
  const refDatabaseUrl = env.DATABASE_URL || LOCAL_DATABASE_URL;
  const refRedisUrl = env.REDIS_URL || LOCAL_REDIS_URL;
  const referenceSetup = {
    database: env.DATABASE_URL
      ? `PostgreSQL (DATABASE_URL, schema bench_ref_${tag})`
      : `PostgreSQL at ${LOCAL_DATABASE_URL} (DATABASE_URL unset), schema bench_ref_${tag}`,
    redis: env.REDIS_URL
      ? `Redis (${ownRedis ? "the run's own redis-server, --own-redis" : 'REDIS_URL'}), prefix bench:ref:${tag}:`
      : `Redis at ${LOCAL_REDIS_URL} (REDIS_URL unset), prefix bench:ref:${tag}:`,
  };
  let referenceUrl: string | null = null;
  let referenceChild: ChildProcess | undefined;
  try {
    const store = await ReferenceStore.open({
      databaseUrl: refDatabaseUrl,
      schema: `bench_ref_${tag}`,
      redisUrl: refRedisUrl,
      redisPrefix: `bench:ref:${tag}:`,
    });
    cleanups.push(() => store.drop());
    await store.putUsers(
      users.map(({ password: _pw, accessToken: _at, sessionId: _sid, ...user }) => user),
      users.map((u) => ({ id: u.sessionId, userId: u.id })),
    );
    await store.putContacts(seeded.contacts);
    const reference = startNode(path.join(ROOT, 'bench', 'reference-server.ts'), {
      cwd: ROOT,
      label: 'reference',
      nodeArgs: cpuProf ? ['--cpu-prof', '--cpu-prof-dir', referenceProfileDir] : [],
      env: {
        ...env,
        PORT: '0',
        DATABASE_URL: refDatabaseUrl,
        REF_SCHEMA: store.options.schema,
        REDIS_URL: refRedisUrl,
        REF_REDIS_PREFIX: store.options.redisPrefix,
        JWT_SECRET: jwtSecret,
        // The same limits as the API's, so both count and neither refuses.
        REF_CONTACTS_MAX: UNLIMITED,
        REF_CONTACT_CREATE_MAX: UNLIMITED,
        REF_WINDOW_S: '60',
      },
    });
    referenceChild = reference.child;
    referenceUrl = await new Promise<string>((resolve, reject) => {
      reference.child.stdout!.on('data', (chunk: Buffer) => {
        const url = /listening (\S+)/.exec(chunk.toString('utf8'))?.[1];
        if (url) resolve(url);
      });
      reference.child.once('exit', (code) => reject(new Error(`the reference server exited (${code}):\n${reference.tail.join('\n')}`)));
    });
    if (!env.DATABASE_URL || !env.REDIS_URL) notes.push(`The reference server used the local services (${referenceSetup.database}; ${referenceSetup.redis}).`);
    if (!env.DATABASE_URL || !env.REDIS_URL) {
      notes.push(
        'The API ran on embedded defaults while the reference used PostgreSQL and Redis: the ratios compare different stacks. Set DATABASE_URL and REDIS_URL for a like-for-like run.',
      );
    }
  } catch (error) {
    notes.push(`Reference server skipped: ${(error as Error).message.split('\n')[0]}`);
    log(`reference server skipped: ${(error as Error).message}`);
  }

  // --- scenarios -------------------------------------------------------------------------------
  const byUser = new Map(users.map((u) => [u.id, u]));
  const contactRequests = seeded.contacts
    .map((c, i) => ({ c, order: (i * 7919) % seeded.contacts.length }))
    .sort((a, b) => a.order - b.order)
    .map(({ c }) => ({ method: 'GET' as const, path: `/api/contacts/${c.id}`, headers: bearer(byUser.get(c.userId)!) }));
  // The DELETE scenario's batches per server, one per round (written before its rounds).
  const deletions: Record<'api' | 'reference', PreparedRequest[][]> = { api: [], reference: [] };
  const scenarios: Record<Scenario['key'], Scenario> = {
    list: {
      key: 'list',
      name: 'GET /api/contacts (20 per page)',
      connections: READ_CONNECTIONS,
      warmupS: plan.warmupS,
      needsContacts: true,
      requests: () => users.map((u) => ({ method: 'GET', path: '/api/contacts?limit=20&offset=0', headers: bearer(u) })),
    },
    get: {
      key: 'get',
      name: 'GET /api/contacts/:id',
      connections: READ_CONNECTIONS,
      warmupS: plan.warmupS,
      needsContacts: true,
      requests: () => contactRequests,
    },
    me: {
      key: 'me',
      name: 'GET /api/users/me',
      connections: READ_CONNECTIONS,
      warmupS: plan.warmupS,
      requests: () => users.map((u) => ({ method: 'GET', path: '/api/users/me', headers: bearer(u) })),
    },
    create: {
      key: 'create',
      name: 'POST /api/contacts (unique emails)',
      connections: CREATE_CONNECTIONS,
      warmupS: Math.min(1, plan.warmupS),
      needsContacts: true,
      requests: () =>
        users.map((u) => ({
          method: 'POST',
          path: '/api/contacts',
          headers: { ...bearer(u), ...json },
          body: JSON.stringify(contactBody('{{seq}}', `${tag}-load`)),
        })),
    },
    patch: {
      key: 'patch',
      name: 'PATCH /api/contacts/:id (notes)',
      connections: CREATE_CONNECTIONS,
      warmupS: Math.min(1, plan.warmupS),
      needsContacts: true,
      requests: () =>
        contactRequests.map((r) => ({ ...r, method: 'PATCH', headers: { ...r.headers, ...json }, body: JSON.stringify({ notes: `${tag} {{seq}}` }) })),
    },
    delete: {
      key: 'delete',
      name: 'DELETE /api/contacts/:id (to the trash)',
      connections: CREATE_CONNECTIONS,
      // No warm-up: it would use up contacts; the servers are warm from the scenarios before.
      warmupS: 0,
      needsContacts: true,
      once: true,
      requests: (server) => deletions[server].shift() ?? [],
    },
    login: {
      key: 'login',
      name: 'POST /api/auth/login',
      connections: LOGIN_CONNECTIONS,
      // Long enough for the pool to start a hashing thread per core.
      warmupS: Math.min(1, plan.warmupS),
      requests: () =>
        users.map((u) => ({ method: 'POST', path: '/api/auth/login', headers: json, body: JSON.stringify({ email: u.email, password: u.password }) })),
    },
  };

  const results: ScenarioResult[] = [];
  const runScenario = async (
    scenario: Scenario,
    server: 'api' | 'reference',
    { durationS = plan.durationS, probeRedis = true }: { durationS?: number; probeRedis?: boolean } = {},
  ): Promise<ScenarioResult> => {
    const base = server === 'api' ? apiUrl : referenceUrl!;
    const batch = scenario.requests(server);
    const requests = scenario.once ? batch.slice(1, -REDIS_PROBE_REQUESTS) : batch;
    const probed = scenario.once ? batch.slice(-REDIS_PROBE_REQUESTS) : batch;
    const row: ScenarioResult = { key: scenario.key, name: scenario.name, server, connections: scenario.connections, durationS, status: 'ok' };
    const first = batch[0];
    if (!first || requests.length === 0 || (server === 'api' && scenario.needsContacts && !seeded.apiHasContacts)) {
      row.status = 'route missing';
      log(`${server} ${scenario.name}: route missing`);
      return row;
    }
    const probe = await fetch(base + first.path, {
      method: first.method,
      headers: first.headers,
      ...(first.body ? { body: first.body.replaceAll('{{seq}}', 'probe') } : {}),
    });
    await probe.arrayBuffer();
    row.probeStatus = probe.status;
    if (probe.status === 404 || probe.status === 405) {
      row.status = 'route missing';
      log(`${server} ${scenario.name}: route missing (${probe.status})`);
      return row;
    }
    log(`${server} ${scenario.name}: ${scenario.connections} connections, ${scenario.once ? `${requests.length} requests` : `${durationS} s`}`);
    const spec: LoadSpec = { url: base, connections: scenario.connections, durationS, requests, once: scenario.once };
    let window: BenchMetrics | undefined;
    // CPU per request from /proc for both servers alike (the API's event loop and worker threads, the reference's process).
    const pid = server === 'api' ? apiPid : referenceChild?.pid;
    // The redis-server's and PostgreSQL's CPU too: on a machine this small, the servers share its cores with both.
    const redisUrl = server === 'api' ? env.REDIS_URL : refRedisUrl;
    let before: { cpu: number | null; redis: number | null; db: Map<string, number> | null } = { cpu: null, redis: null, db: null };
    const [result] = await load([spec], scenario.warmupS, async () => {
      if (server === 'api') await metrics(apiUrl, true, cpuProf);
      before = {
        cpu: await cpuMsOf(pid),
        redis: redisUrl ? await redisCpuMs(redisUrl) : null,
        db: apiDatabaseUrl || server === 'reference' ? await postgresCpuMs() : null,
      };
    });
    const after = { cpu: await cpuMsOf(pid), redis: redisUrl ? await redisCpuMs(redisUrl) : null, db: before.db !== null ? await postgresCpuMs() : null };
    const perRequest = (from: number | null, to: number | null) =>
      from !== null && to !== null && result!.total > 0 ? round(((to - from) * 1000) / result!.total, 1) : undefined;
    row.cpuUsPerRequest = perRequest(before.cpu, after.cpu);
    row.redisCpuUsPerRequest = ownRedis ? perRequest(before.redis, after.redis) : undefined;
    row.dbCpuUsPerRequest = before.db && after.db ? perRequest(0, postgresCpuSince(before.db, after.db)) : undefined;
    if (server === 'api') window = await metrics(apiUrl, true);
    if (window?.cpuProfile) await saveProfile(`api-${scenario.key}`, window.cpuProfile);
    Object.assign(row, result);
    if (window) {
      row.dbQueriesPerRequest = result!.total > 0 ? round(window.dbQueries / result!.total, 3) : null;
      row.cpuCores = window.cpuCores;
      row.peakRssMB = mb(window.windowPeakRssBytes);
      const { heapTotal, heapUsed, external } = window.windowPeakMemory;
      row.peakMemoryMB = { heapTotal: mb(heapTotal), heapUsed: mb(heapUsed), external: mb(external) };
      row.eventLoopDelayMaxMs = window.eventLoopDelay.maxMs;
    }
    // The API talks to Redis only with REDIS_URL; the reference always does.
    if (redisUrl && probeRedis) row.redis = await redisProbe(redisUrl, base, probed);
    return row;
  };

  if (only) notes.push(`--only ${[...only].join(',')}: a partial run; the other scenarios and their targets were skipped.`);
  // Interleaved rounds, the order turned each round (A B, B A, A B…); Redis is probed after the last.
  const roundRatios = new Map<Scenario['key'], Array<{ requestsPerSec: number; latencyP99: number }>>();
  let supply: Awaited<ReturnType<typeof supplyDeletions>> | null = null;
  for (const key of COMPARED.filter(runs)) {
    if (key === 'delete') {
      if (!apiDatabaseUrl || !referenceUrl || !seeded.apiHasContacts) {
        notes.push('delete: skipped, it needs DATABASE_URL (its contacts are written into both schemas), the reference server and the contacts routes.');
        continue;
      }
      log(`writing ${plan.rounds} × ${DELETES_PER_ROUND} contacts to delete into each schema`);
      const batch = DELETES_PER_ROUND + 1 + REDIS_PROBE_REQUESTS;
      supply = await supplyDeletions({ api: apiDatabaseUrl, reference: inSchema(refDatabaseUrl, `bench_ref_${tag}`) }, users, plan.rounds * batch);
      for (const server of ['api', 'reference'] as const) {
        const requests = supply.ids[server].map((c) => ({ method: 'DELETE' as const, path: `/api/contacts/${c.id}`, headers: bearer(byUser.get(c.userId)!) }));
        for (let at = 0; at < requests.length; at += batch) deletions[server].push(requests.slice(at, at + batch));
      }
    }
    const rows: Record<'api' | 'reference', ScenarioResult[]> = { api: [], reference: [] };
    const servers = referenceUrl ? (['api', 'reference'] as const) : (['api'] as const);
    for (let r = 0; r < plan.rounds; r++) {
      for (const server of r % 2 === 0 ? servers : [...servers].reverse()) {
        rows[server].push(await runScenario(scenarios[key], server, { durationS: plan.roundS, probeRedis: r === plan.rounds - 1 }));
      }
    }
    const ratios = rows.api.flatMap((ours, r) => {
      const theirs = rows.reference[r];
      return ours.status === 'ok' && theirs?.status === 'ok' && theirs.requestsPerSec && theirs.latencyP99Ms
        ? [{ requestsPerSec: ours.requestsPerSec! / theirs.requestsPerSec, latencyP99: ours.latencyP99Ms! / theirs.latencyP99Ms }]
        : [];
    });
    if (ratios.length === plan.rounds) roundRatios.set(key, ratios);
    for (const server of servers) results.push(combineRounds(rows[server]));
    await supply?.purge();
    supply = null;
  }
  if (runs('login')) results.push(await runScenario(scenarios.login, 'api'));

  // --- a login burst beside contact reads ----------------------------------------------------
  async function loginBurst(): Promise<NonNullable<BenchResults['burst']>> {
    const reads = seeded.apiHasContacts ? scenarios.get : scenarios.me;
    const burstName = `POST /api/auth/login (${LOGIN_CONNECTIONS} conns) beside ${reads.name} (${BURST_READ_CONNECTIONS} conns)`;
    log(`burst: ${burstName}, ${plan.durationS} s`);
    if (!seeded.apiHasContacts) notes.push('The login burst ran beside GET /api/users/me because the contacts routes are missing.');
    const watcher = startIdleWatcher();
    const [burstLogin, burstReads] = await load(
      [
        { url: apiUrl, connections: LOGIN_CONNECTIONS, durationS: plan.durationS, requests: scenarios.login.requests('api') },
        { url: apiUrl, connections: BURST_READ_CONNECTIONS, durationS: plan.durationS, requests: reads.requests('api') },
      ],
      0,
      async () => {
        await metrics(apiUrl, true, cpuProf);
        watcher.start();
      },
    );
    const burstWindow = await metrics(apiUrl, true);
    const idle = await watcher.stop();
    if (burstWindow.cpuProfile) await saveProfile('api-burst', burstWindow.cpuProfile);
    // Logins still queued for the hashing threads finish before the server is stopped.
    await sleep(LOGIN_CONNECTIONS * 400);
    return {
      name: burstName,
      durationS: plan.durationS,
      eventLoopDelayMaxMs: burstWindow.eventLoopDelay.maxMs,
      eventLoopDelayP99Ms: burstWindow.eventLoopDelay.p99Ms,
      idleProcessDelay: idle,
      gc: burstWindow.gc,
      cpuCores: burstWindow.cpuCores,
      peakRssMB: mb(burstWindow.windowPeakRssBytes),
      login: burstLogin!,
      reads: burstReads!,
    };
  }
  let burst: BenchResults['burst'] = null;
  if (runs('burst')) burst = await loginBurst();

  // --- vCard import and export (bench/vcard-scenarios.ts) ------------------------------------------
  const vcardExtraTargets: Target[] = [];
  const vcardPeaks: { scenario: string; peakRssMB: number }[] = [];
  if (runs('vcard')) {
    let vcardProfile: string | undefined;
    const vcard = await runVCardScenarios({
      apiUrl,
      user: users[users.length - 1]!,
      cardsPerImport: quick ? 500 : 5000,
      imports: quick ? 2 : 10,
      tag,
      window: async (next) => {
        const window = await metrics(apiUrl, true, cpuProf && next !== undefined);
        if (window.cpuProfile && vcardProfile) await saveProfile(`api-${vcardProfile}`, window.cpuProfile);
        vcardProfile = next;
        return window;
      },
      log,
    });
    notes.push(vcardNote(vcard));
    for (const [i, m] of vcard.importMemory.entries()) vcardPeaks.push({ scenario: `vcard import ${i + 1}`, peakRssMB: m.peakRssMB });
    if (vcard.export) vcardPeaks.push({ scenario: 'vcard export', peakRssMB: vcard.export.peakRssMB });
    vcardExtraTargets.push(...vcardTargets(vcard));
  }
  if (runs('vcard-hostile')) {
    const hostile = await runHostileImport({
      apiUrl,
      user: users[users.length - 1]!,
      reader: users[0]!,
      bytes: 5_242_880,
      readers: 4,
      window: () => metrics(apiUrl, true),
      log,
    });
    notes.push(hostileImportNote(hostile));
    vcardExtraTargets.push(...hostileImportTargets(hostile));
  }
  // --- search over a large book (bench/search-scenario.ts) -------------------------------------
  const searchTargets: Target[] = [];
  if (runs('search')) {
    if (!apiDatabaseUrl || !seeded.apiHasContacts)
      notes.push('search: skipped, it needs DATABASE_URL (the book is written into the API schema) and the contacts routes.');
    else {
      const reader = users[0]!;
      log(`search: writing a book of ${SEARCH_BOOK_SIZE} rich contacts`);
      const terms = await seedSearchBook(apiDatabaseUrl, reader.id);
      const searches: [string, string][] = [
        ['search-list', ''],
        ['search-letters', `q=${terms.letters}&`],
        ['search-digits', `q=${terms.digits}&`],
        ['search-label', `label=${encodeURIComponent(terms.label)}&`],
      ];
      const rows: ScenarioResult[] = [];
      for (const [key, query] of searches) {
        const path = `/api/contacts?${query}limit=20&offset=0`;
        const scenario: Scenario = {
          key: key as Scenario['key'],
          name: `GET ${path} (a book of ${SEARCH_BOOK_SIZE})`,
          connections: CREATE_CONNECTIONS,
          warmupS: plan.warmupS,
          needsContacts: true,
          requests: () => [{ method: 'GET', path, headers: bearer(reader) }],
        };
        rows.push(await runScenario(scenario, 'api'));
      }
      results.push(...rows);
      const plainP99 = rows[0]?.status === 'ok' ? rows[0].latencyP99Ms : undefined;
      for (const row of rows.slice(1)) {
        const ratio = plainP99 && row.status === 'ok' && row.latencyP99Ms !== undefined ? round(row.latencyP99Ms / plainP99, 2) : null;
        searchTargets.push({
          name: `${row.name}: p99 ≤ 3× the plain list's of the same book`,
          measured: ratio !== null ? `${ratio}× (${row.latencyP99Ms} ms vs ${plainP99} ms)` : 'n/a',
          met: ratio !== null ? ratio <= 3 : null,
        });
      }
    }
  }
  // --- CardDAV and the change feed (bench/dav-scenarios.ts) --------------------------------------
  const syncTargets: Target[] = [];
  if (runs('dav')) {
    if (!apiDatabaseUrl || !seeded.apiHasContacts)
      notes.push('dav: skipped, it needs DATABASE_URL (the books are written into the API schema) and the contacts routes.');
    else {
      const dav = await runDavScenarios({
        apiUrl,
        databaseUrl: apiDatabaseUrl,
        smallBook: users[2]!,
        largeBook: users[1]!,
        durationS: plan.durationS,
        connections: CREATE_CONNECTIONS,
        firstSyncRounds: quick ? 1 : 3,
        log,
        window: async (key, run) => {
          await metrics(apiUrl, true, cpuProf);
          const [apiCpuBefore, postgresBefore] = [await cpuMsOf(apiChild.pid), await postgresCpuMs()];
          const latency = await run();
          const [apiCpuAfter, postgresAfter] = [await cpuMsOf(apiChild.pid), await postgresCpuMs()];
          const window = await metrics(apiUrl, true);
          if (window.cpuProfile) await saveProfile(`api-${key}`, window.cpuProfile);
          const perRequest = (ms: number | null) => (ms === null || latency.requests === 0 ? 'n/a' : `${round(ms / latency.requests, 3)} ms`);
          log(
            `${key}: ${latency.requests > 0 ? round(window.dbQueries / latency.requests, 2) : 0} database queries per request; CPU per request: ` +
              `API ${perRequest(apiCpuBefore !== null && apiCpuAfter !== null ? apiCpuAfter - apiCpuBefore : null)}, ` +
              `PostgreSQL ${perRequest(postgresBefore && postgresAfter ? postgresCpuSince(postgresBefore, postgresAfter) : null)}; ` +
              `GC ${window.gc.count} pauses, ${window.gc.totalPauseMs} ms in all, the longest ${window.gc.maxPauseMs} ms; heap used at most ${round(window.windowPeakMemory.heapUsed / 2 ** 20, 1)} MB`,
          );
          return latency;
        },
      });
      notes.push(davNote(dav, CREATE_CONNECTIONS));
      syncTargets.push(...davTargets(dav));
    }
  }
  const final = await metrics(apiUrl, false);
  const referencePeakRss = await peakRssOf(referenceChild?.pid);
  const embedded = embeddedPass && (apiDatabaseUrl || env.REDIS_URL) ? await measureEmbedded(entry) : null;

  // --- results ---------------------------------------------------------------------------------
  const find = (key: Scenario['key'], server: 'api' | 'reference') => results.find((r) => r.key === key && r.server === server && r.status === 'ok');
  for (const key of COMPARED) {
    const ours = find(key, 'api');
    const ratios = roundRatios.get(key);
    if (ours && ratios) {
      ours.vsReference = {
        requestsPerSec: round(median(ratios.map((r) => r.requestsPerSec)), 2),
        latencyP99: round(median(ratios.map((r) => r.latencyP99)), 2),
        rounds: ratios.map((r) => ({ requestsPerSec: round(r.requestsPerSec, 2), latencyP99: round(r.latencyP99, 2) })),
      };
    }
  }
  const loginRow = find('login', 'api');
  const targets: Target[] = [
    ...READS.flatMap((key): Target[] => {
      const ratio = find(key, 'api')?.vsReference;
      const name = scenarios[key].name;
      return [
        { name: `${name}: req/s ≥ 0.9× reference`, measured: ratio ? `${ratio.requestsPerSec}×` : 'n/a', met: ratio ? ratio.requestsPerSec >= 0.9 : null },
        { name: `${name}: p99 ≤ 1.5× reference's p99`, measured: ratio ? `${ratio.latencyP99}×` : 'n/a', met: ratio ? ratio.latencyP99 <= 1.5 : null },
      ];
    }),
    ...WRITES.map((key): Target => {
      const ratio = find(key, 'api')?.vsReference;
      return {
        name: `${scenarios[key].name}: req/s ≥ 0.75× reference`,
        measured: ratio ? `${ratio.requestsPerSec}×` : 'n/a',
        met: ratio ? ratio.requestsPerSec >= 0.75 : null,
      };
    }),
    ...READS.map((key): Target => {
      const redis = find(key, 'api')?.redis;
      return {
        name: `${scenarios[key].name}: at most one Redis round trip when cached`,
        measured: redis ? `${redis.roundTrips} round trips/request` : 'n/a (no REDIS_URL)',
        met: redis ? redis.roundTrips <= 1.05 : null,
      };
    }),
    {
      name: 'event loop worst delay during the login burst < 20 ms',
      measured: burst ? `${burst.eventLoopDelayMaxMs} ms` : 'n/a',
      met: burst ? burst.eventLoopDelayMaxMs < 20 : null,
    },
    {
      name: `login uses both cores (CPU ≥ ${round(0.75 * cores, 2)} of ${cores} cores)`,
      measured: loginRow?.cpuCores !== undefined ? `${loginRow.cpuCores} cores` : 'n/a',
      met: loginRow?.cpuCores !== undefined ? loginRow.cpuCores >= 0.75 * cores : null,
    },
    ...(['get', 'list'] as const).map((key): Target => {
      const q = find(key, 'api')?.dbQueriesPerRequest;
      return {
        name: `${scenarios[key].name}: one database round trip when cached`,
        measured: q != null ? `${q} queries/request` : 'n/a',
        met: q != null ? Math.abs(q - 1) < 0.05 : null,
      };
    }),
    { name: 'server peak RSS < 200 MB', measured: `${mb(final.peakRssBytes)} MB`, met: final.peakRssBytes < 200 * 1024 * 1024 },
    ...vcardExtraTargets,
    ...searchTargets,
    ...syncTargets,
  ];

  const output: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    machine: {
      cpus: cores,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryMB: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: loadAtStart.map((n) => round(n, 2)),
      loadAverageAtEnd: os.loadavg().map((n) => round(n, 2)),
    },
    setup: {
      api: apiSetup,
      reference: referenceUrl ? referenceSetup : null,
      users: plan.users,
      contactsPerUser: plan.contactsPerUser,
      contactsRoutes: seeded.apiHasContacts,
    },
    scenarios: results,
    burst,
    server: {
      peakRssMB: mb(final.peakRssBytes),
      peakRssByScenario: [
        ...results.filter((row) => row.server === 'api' && row.peakRssMB !== undefined).map((row) => ({ scenario: row.key, peakRssMB: row.peakRssMB! })),
        ...(burst ? [{ scenario: 'burst', peakRssMB: burst.peakRssMB }] : []),
        ...vcardPeaks,
      ].sort((a, b) => b.peakRssMB - a.peakRssMB),
      rssAtEndMB: mb(final.rssBytes),
      referencePeakRssMB: referencePeakRss ? mb(referencePeakRss) : null,
      rssAfterSeedingMB: mb(afterSeeding.rssBytes),
      embedded,
    },
    targets,
    notes,
  };
  await mkdir(path.join(ROOT, 'bench', 'results'), { recursive: true });
  const resultsFile = only ? 'only.json' : 'latest.json';
  await writeFile(path.join(ROOT, 'bench', 'results', resultsFile), `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(`\n${markdownReport(output)}\n`);
  log(`results written to bench/results/${resultsFile}`);
}

/**
 * The embedded default (no DATABASE_URL, no REDIS_URL: PGlite, in-process cache and limits), as
 * `npm start` runs it: seeded like the main run, then the two contact reads, for its memory.
 */
async function measureEmbedded(entry: string): Promise<NonNullable<BenchResults['server']['embedded']>> {
  log('embedded pass: the API on PGlite with in-process cache and limits');
  const api = await launchApi(entry, { databaseUrl: '', redisUrl: '', label: 'api-embedded' });
  const afterStart = await metrics(api.url, false);
  const users = await seedUsers(api.url, path.join(api.dataDir, 'outbox'), plan.users, `${tag}e`);
  const seeded = await seedContacts(api.url, users, plan.contactsPerUser, `${tag}e`);
  const afterSeeding = await metrics(api.url, false);
  const byUser = new Map(users.map((u) => [u.id, u]));
  const reads = async (requests: PreparedRequest[]) => {
    const [result] = await load([{ url: api.url, connections: READ_CONNECTIONS, durationS: plan.durationS, requests }], plan.warmupS);
    return result!.requestsPerSec;
  };
  const getRps = await reads(seeded.contacts.map((c) => ({ method: 'GET' as const, path: `/api/contacts/${c.id}`, headers: bearer(byUser.get(c.userId)!) })));
  const listRps = await reads(users.map((u) => ({ method: 'GET' as const, path: '/api/contacts?limit=20&offset=0', headers: bearer(u) })));
  const end = await metrics(api.url, false);
  await stop(api.child);
  return {
    rssAfterStartMB: mb(afterStart.rssBytes),
    rssAfterSeedingMB: mb(afterSeeding.rssBytes),
    peakRssMB: mb(end.peakRssBytes),
    rssAtEndMB: mb(end.rssBytes),
    getRequestsPerSec: getRps,
    listRequestsPerSec: listRps,
  };
}

/** A schema of the run's own in the given database, selected through the URL's `options`. */
async function isolatedSchema(databaseUrl: string, schema: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
  await client.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`).finally(() => c.end());
  });
  return inSchema(databaseUrl, schema);
}

/** The URL with the schema first on its search_path. */
function inSchema(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  const existing = url.searchParams.get('options');
  // public stays on the path for extensions installed there.
  url.searchParams.set('options', `${existing ? `${existing} ` : ''}-c search_path=${schema},public`);
  return url.toString();
}

/**
 * Contacts for the DELETE scenario to remove, written straight into a schema (the routes would
 * take minutes for as many): `perUser` for each user, each with a name and an email as a client's
 * would have. Answers them with the users in turn, as the requests take them.
 */
const DELETION_SUPPLY = `INSERT INTO contacts (user_id, first_name, last_name, emails, email_keys, search_text, name_keys, name_sort)
  SELECT u.id, 'Gone', 'Contact ' || n, jsonb_build_array(jsonb_build_object('value', 'gone-' || n || '@example.com', 'label', 'other')),
    ARRAY['gone-' || n || '@example.com'], 'gone' || chr(10) || 'contact ' || n || chr(10) || 'gone-' || n || '@example.com',
    ARRAY['gone', 'contact ' || n], 'contact ' || n || ' gone'
  FROM unnest($1::uuid[]) AS u(id) CROSS JOIN generate_series(1, $2::int) AS n
  RETURNING id, user_id AS "userId"`;

async function supplyDeletions(
  urls: Record<'api' | 'reference', string>,
  users: readonly SeededUser[],
  perServer: number,
): Promise<{ ids: Record<'api' | 'reference', Array<{ id: string; userId: string }>>; purge: () => Promise<void> }> {
  const perUser = Math.ceil(perServer / users.length);
  const ids = { api: [] as Array<{ id: string; userId: string }>, reference: [] as Array<{ id: string; userId: string }> };
  for (const server of ['api', 'reference'] as const) {
    const client = new pg.Client({ connectionString: urls[server] });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; userId: string }>(DELETION_SUPPLY, [users.map((u) => u.id), perUser]);
      await client.query('ANALYZE contacts');
      const byUser = new Map<string, Array<{ id: string; userId: string }>>();
      for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
      const lists = [...byUser.values()];
      for (let i = 0; i < perUser; i++) for (const list of lists) if (list[i]) ids[server].push(list[i]!);
    } finally {
      await client.end();
    }
  }
  /** Removes what is left of them, trashed or not, so that the scenarios after see the books as seeded. */
  const purge = async () => {
    for (const server of ['api', 'reference'] as const) {
      const client = new pg.Client({ connectionString: urls[server] });
      await client.connect();
      await client.query('DELETE FROM contacts WHERE id = ANY($1::uuid[])', [ids[server].map((c) => c.id)]).finally(() => client.end());
    }
  };
  return { ids, purge };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

async function cleanUp(): Promise<void> {
  await Promise.allSettled([...children].map(stop));
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`clean-up: ${(error as Error).message}`));
}

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log('interrupted: stopping the servers and removing the benchmark data');
  void cleanUp().then(() => process.exit(130));
});

try {
  await main();
  await cleanUp();
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  await cleanUp();
  process.exitCode = 1;
}
