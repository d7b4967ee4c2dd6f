import assert from 'node:assert/strict';
import autocannon from 'autocannon';
import { Api, linkIn, Mailpit, PASSWORD, step, uniqueEmail } from './client.js';
import { compose, docker, replicas, waitHealthy } from './stack.js';

// `npm run bench:replicas` (test/docker/run.sh starts 1 replica behind nginx): requests per second
// through the load balancer with 1 replica, then 3, then 1 and 3 again (a busy shared machine drifts:
// interleaving shows it), with the PostgreSQL connections and the CPU each replica uses under that
// load. Figures for the README's sizing guidance; nothing is asserted on speed.
// Usage: tsx test/docker/throughput.ts <load balancer URL> <Mailpit URL>

const [lbUrl, mailpitUrl] = process.argv.slice(2);
if (!lbUrl || !mailpitUrl) throw new Error('usage: throughput.ts <load balancer URL> <Mailpit URL>');
const api = new Api(lbUrl);
const DURATION_S = Number(process.env.THROUGHPUT_DURATION_S ?? 15);
const CONNECTIONS = Number(process.env.THROUGHPUT_CONNECTIONS ?? 32);

const session = await step('a user with a contact', async () => {
  const email = uniqueEmail('throughput');
  assert.equal((await api.call('POST', '/api/auth/signup', { json: { username: 'Bench', email, password: PASSWORD } })).status, 201);
  const [mail] = await new Mailpit(mailpitUrl).waitFor(email, /confirm/i);
  assert.equal((await api.call('GET', `/api/auth/verify-email?token=${linkIn(mail!).token}`)).status, 200);
  const login = await api.call<{ accessToken: string }>('POST', '/api/auth/login', { json: { email, password: PASSWORD } });
  const created = await api.call<{ id: string }>('POST', '/api/contacts', {
    token: login.body.accessToken,
    json: { firstName: 'Bench', lastName: 'Mark', email: 'bench@example.com', phone: '+1 555 0199', birthday: '1990-01-31' },
  });
  assert.equal(created.status, 201);
  return { token: login.body.accessToken, contactId: created.body.id };
});

/** CPU and memory of each app container right now, as `docker stats` reports them. */
function replicaStats(): string {
  const ids = replicas().map((r) => r.id);
  return docker('stats', '--no-stream', '--format', '{{.CPUPerc}} {{.MemUsage}}', ...ids)
    .split('\n')
    .map((line) => line.replace(/ \/ .*$/, ''))
    .join(', ');
}

/** PostgreSQL client connections per client address (one address per replica), counted by the server. */
function connectionsPerReplica(): string {
  const postgres = compose('ps', '-q', 'postgres').trim();
  const rows = docker(
    'exec',
    postgres,
    'psql',
    '-U',
    'contacts',
    '-d',
    'contacts',
    '-tAc',
    "SELECT client_addr, count(*) FROM pg_stat_activity WHERE datname = 'contacts' AND backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY client_addr ORDER BY 1",
  );
  return rows
    .split('\n')
    .filter(Boolean)
    .map((row) => row.replace('|', ': '))
    .join(', ');
}

interface Figure {
  replicas: number;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  connections: string;
  stats: string;
}

async function measure(count: number, path: string): Promise<Figure> {
  const options = { url: lbUrl + path, connections: CONNECTIONS, headers: { authorization: `Bearer ${session.token}` } };
  await autocannon({ ...options, duration: 3 }); // warm-up: caches, statement plans, pool connections
  let connections = '';
  let stats = '';
  const sampling = setTimeout(
    () => {
      connections = connectionsPerReplica();
      stats = replicaStats();
    },
    (DURATION_S * 1000) / 2,
  );
  const result = await autocannon({ ...options, duration: DURATION_S });
  clearTimeout(sampling);
  return {
    replicas: count,
    path,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
    connections,
    stats,
  };
}

const figures: Figure[] = [];
const paths = [`/api/contacts/${session.contactId}`, '/api/users/me'];
const phases = [1, 3, 1, 3];
for (const [phase, count] of phases.entries()) {
  if (phase > 0) {
    await step(`scale to ${count} replicas and let nginx resolve them again`, async () => {
      compose('up', '-d', '--no-recreate', '--scale', `app=${count}`, 'app');
      for (const replica of replicas()) await waitHealthy(replica.id);
      compose('restart', 'lb');
      for (let i = 0; i < 60 && (await api.call('GET', '/ready').catch(() => ({ status: 0 }))).status !== 200; i++)
        await new Promise((r) => setTimeout(r, 500));
    });
  }
  for (const path of paths)
    figures.push(await step(`${count} replica(s): GET ${path.replace(session.contactId, ':id')} for ${DURATION_S} s`, () => measure(count, path)));
}

console.log(
  `\n  ${CONNECTIONS} connections through nginx, ${DURATION_S} s each; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('  | replicas | route | req/s | p50 ms | p99 ms | failed | PostgreSQL connections per replica | CPU, memory per replica (mid-run) |');
console.log('  |---|---|---|---|---|---|---|---|');
for (const f of figures) {
  console.log(
    `  | ${f.replicas} | GET ${f.path.replace(session.contactId, ':id')} | ${f.rps} | ${f.p50} | ${f.p99} | ${f.failed} | ${f.connections} | ${f.stats} |`,
  );
}
