import { execFileSync } from 'node:child_process';

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

/** The app containers, with their addresses on the compose network (what nginx's X-Upstream names). */
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
    if (Date.now() > deadline) throw new Error(`container ${id.slice(0, 12)} not healthy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
