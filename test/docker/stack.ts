import { execFileSync, spawnSync } from 'node:child_process';

/** The compose stack test/docker/run.sh started (it exports COMPOSE_COMMAND, COMPOSE_PROJECT and COMPOSE_FILES). */
export function compose(...args: string[]): string {
  const [command, ...prefix] = (process.env.COMPOSE_COMMAND ?? 'docker-compose').split(' ');
  const files = (process.env.COMPOSE_FILES ?? '').split(' ').filter(Boolean);
  const project = process.env.COMPOSE_PROJECT;
  if (!project) throw new Error('COMPOSE_PROJECT is not set: run this through test/docker/run.sh');
  return execFileSync(command!, [...prefix, '-p', project, ...files, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface Replica {
  id: string;
  name: string;
  ip: string;
}

/** The app containers, with their addresses on the compose network (what nginx's access log names). */
export function replicas(): Replica[] {
  const ids = compose('ps', '-q', 'app')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  return ids.map((id) => {
    const [name, ip] = docker('inspect', '--format', '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id).split(' ');
    return { id, name: name!.replace(/^\//, ''), ip: ip! };
  });
}

export function health(id: string): string {
  return docker('inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}', id);
}

export async function waitHealthy(id: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (health(id) !== 'healthy') {
    if (Date.now() > deadline) {
      const state = docker('inspect', '--format', '{{.State.Status}} {{json .State.Health}}', id);
      const logs = spawnSync('docker', ['logs', '--tail', '20', id], { encoding: 'utf8' });
      throw new Error(`container ${id.slice(0, 12)} not healthy after ${timeoutMs} ms: ${state}\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What the load balancer (nginx) wrote to its standard output, its access log; and to its standard error, its error log, when asked. */
export function lbLog(options: { withErrors?: boolean } = {}): string {
  const lb = compose('ps', '-q', 'lb').trim();
  const { stdout, stderr } = spawnSync('docker', ['logs', lb], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return options.withErrors ? `${stdout}\n${stderr}` : stdout;
}

/** `request_id=<X-Request-Id> upstream="<address:port>[, <address:port>…]"`, as deploy/nginx/default.conf logs each request. */
const ACCESS_LOG_LINE = /request_id=(\S+) upstream="([^"]*)"/;

/**
 * The replica's address that answered each request, by the request id the app echoed
 * (X-Request-Id), read from the load balancer's access log: nginx tells no client which replica
 * answered. After a retry nginx lists every replica it tried; the last one answered. Waits a
 * little for lines nginx has not written yet; an id still missing then maps to '?'.
 */
export async function upstreamsOf(requestIds: readonly string[], timeoutMs = 5000): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of lbLog().split('\n')) {
      const match = ACCESS_LOG_LINE.exec(line);
      const tried = match?.[2]?.split(',').map((address) => address.trim());
      if (match && tried?.length) found.set(match[1]!, tried.at(-1)!.split(':')[0]!);
    }
    if (requestIds.every((id) => found.has(id)) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return new Map(requestIds.map((id) => [id, found.get(id) ?? '?']));
}

export interface DirectAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface DirectRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends the requests one after the other, from inside the container, to the app on its own port 3000, and returns every answer. */
const DIRECT_CLIENT = `const reqs = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
(async () => {
  const out = [];
  for (const r of reqs) {
    const res = await fetch('http://127.0.0.1:3000' + r.path, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(30000) });
    out.push({ status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() });
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });`;

/**
 * Requests aimed at one replica: nginx spreads whatever comes through it, so these go straight to
 * the app inside that replica's container (`docker exec`), past the load balancer.
 */
export function onReplica(replica: Replica, requests: readonly DirectRequest[]): DirectAnswer[] {
  const out = execFileSync('docker', ['exec', '-i', replica.id, 'node', '-e', DIRECT_CLIENT], {
    encoding: 'utf8',
    input: JSON.stringify(requests),
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as DirectAnswer[];
}
