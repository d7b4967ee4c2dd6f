import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/infrastructure/config.js';
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS } from '../../src/infrastructure/node-flags.js';

// There is no Docker engine on our machines: these tests read the files Docker would read.

interface Service {
  image?: string;
  command?: string[];
  restart?: string;
  build?: unknown;
  env_file?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
}

type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };
/** A compose file with `${VAR:-default}` read as its default, as compose does when VAR is unset. */
const readCompose = (file: string) => parse(readFileSync(file, 'utf8').replace(/\$\{\w+:-([^}]*)\}/g, '$1'), { merge: true }) as ComposeFile;
const compose = readCompose('docker-compose.yml');
const override = readCompose('docker-compose.override.yml');
const scale = readCompose('docker-compose.scale.yml');
const { app, postgres, redis, mailpit, migrate } = compose.services;
const dockerfile = readFileSync('Dockerfile', 'utf8');

test('compose runs the app with PostgreSQL, Redis and Mailpit, each with a healthcheck, and a one-shot migration', (t) => {
  t.deepEqual(Object.keys(compose.services).sort(), ['app', 'mailpit', 'migrate', 'postgres', 'redis']);
  for (const [name, service] of Object.entries(compose.services)) {
    if (name === 'migrate') continue;
    t.true(Array.isArray(service.healthcheck?.test) && service.healthcheck.test.length > 1, `${name} has no healthcheck`);
  }
  t.regex(app!.healthcheck!.test!.join(' '), /\/health\b/);
  t.truthy(app!.build, 'the app is built from the Dockerfile');
});

test('the app starts only once its services are healthy, reads .env, and reaches them by service name', (t) => {
  t.deepEqual(app!.depends_on, {
    migrate: { condition: 'service_completed_successfully' },
    postgres: { condition: 'service_healthy' },
    redis: { condition: 'service_healthy' },
    mailpit: { condition: 'service_healthy' },
  });
  t.deepEqual([app!.env_file].flat(), ['.env']);
  // An empty ${VAR:-} reads as null in YAML: compose passes an empty string.
  const env = Object.fromEntries(Object.entries(app!.environment!).map(([k, v]) => [k, v ?? ''])) as Record<string, string>;
  t.is(new URL(env.DATABASE_URL!).hostname, 'postgres');
  t.is(new URL(env.REDIS_URL!).hostname, 'redis');
  t.is(new URL(env.SMTP_URL!).host, 'mailpit:1025');
  const known = CONFIG_VARIABLES.map((v) => v.variable);
  t.deepEqual(
    Object.keys(env).filter((variable) => !known.includes(variable)),
    [],
    'unknown variables in the app environment',
  );
  // What the container sees: .env under the compose environment, which wins.
  const config = loadConfig({ ...parseEnv(readFileSync('.env', 'utf8')), ...env });
  t.is(config.port, 3000);
  t.false(config.migrateOnStart, 'the migrate service does it, once');
  t.is(config.publicUrl, 'http://localhost:3000');
  // .env says development; run as the image says (NODE_ENV=production), a local stack still starts:
  // its links go to http://localhost, which production allows, and it keeps the default rounds.
  t.notThrows(() => loadConfig({ ...parseEnv(readFileSync('.env', 'utf8')), ...env, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }));
  t.deepEqual(app!.ports, undefined, 'docker-compose.override.yml publishes it, so the scale file can leave it out');
  t.deepEqual(override.services.app!.ports, [`127.0.0.1:${config.port}:${config.port}`]);
});

test('the migrate service runs the compiled `npm run migrate` once, with the app image and environment', (t) => {
  t.deepEqual(migrate!.command, ['node', 'dist/src/infrastructure/migrate.js']);
  t.is(migrate!.image, app!.image);
  t.deepEqual(migrate!.environment, app!.environment);
  t.is(migrate!.restart, 'no');
  t.deepEqual(migrate!.depends_on, { postgres: { condition: 'service_healthy' } });
});

test('every published port, in every compose file, is bound to 127.0.0.1 only', (t) => {
  const published = [compose, override, scale].flatMap((file) => Object.values(file.services).flatMap((service) => service.ports ?? []));
  t.true(published.length >= 4);
  for (const port of published) t.regex(port, /^127\.0\.0\.1:\d+:\d+$/, port);
});

test('the scale file puts nginx, trusted for exactly one hop, in front of replicas that publish nothing', (t) => {
  const { lb, app: replicas } = scale.services;
  t.is(replicas!.ports, undefined);
  t.is(replicas!.environment!.TRUST_PROXY, 'true');
  t.regex(readFileSync('docker-compose.scale.yml', 'utf8'), /JWT_SECRET: \$\{JWT_SECRET:\?/, 'replicas must share one JWT secret');
  t.regex(lb!.image ?? '', /^nginx:[\w.-]+$/);
  t.deepEqual(lb!.depends_on, { app: { condition: 'service_healthy' } });
  const mount = (lb!.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === '/etc/nginx/conf.d/default.conf');
  t.truthy(mount);
  const nginx = readFileSync(mount![0]!, 'utf8');
  // The app takes the last X-Forwarded-For entry: nginx must append the client's address, not replace or forward it blindly.
  t.regex(nginx, /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  t.regex(nginx, /proxy_next_upstream error timeout/);
  t.notRegex(nginx, /^\s*proxy_next_upstream[^;]*non_idempotent/m, 'a POST that reached a replica is never sent to another');
});

test("nginx logs paths without their query string (no ?token= link in its log) and tells clients no replica's address", (t) => {
  const nginx = readFileSync('deploy/nginx/default.conf', 'utf8').replace(/#.*$/gm, '');
  const formats = new Map([...nginx.matchAll(/^\s*log_format\s+(\S+)\s+([^;]*);/gm)].map((m) => [m[1]!, m[2]!]));
  const logs = [...nginx.matchAll(/^\s*access_log\s+([^;]*);/gm)].map((m) => m[1]!.trim().split(/\s+/));
  t.true(logs.length > 0, 'an access_log is set, so the image default (which logs $request, query included) is not used');
  for (const [path, format] of logs) {
    if (path === 'off') continue;
    t.truthy(format, `access_log ${path} names its format`);
    const text = formats.get(format!);
    t.truthy(text, `log_format ${format} is defined`);
    t.regex(text!, /\$uri\b/);
    for (const leaks of ['$request ', '$request"', "$request'", '$request_uri', '$args', '$query_string', '$arg_', '$http_referer', '$is_args']) {
      t.false(text!.includes(leaks), `log_format ${format} logs ${leaks.trim()}`);
    }
  }
  t.regex(formats.get('paths') ?? '', /\$upstream_addr/, 'the replica that answered is in the log, where the replica test reads it');
  t.notRegex(nginx, /add_header[^;]*\$upstream/, 'no response header names an upstream');
  t.notRegex(nginx, /X-Upstream/i);
});

test('PostgreSQL data and uploads live in named volumes', (t) => {
  const named = Object.keys(compose.volumes ?? {});
  const mounts = (service: Service) => (service.volumes ?? []).map((v) => v.split(':')).map(([source, target]) => ({ source, target }));
  const pg = mounts(postgres!).find((m) => m.target === '/var/lib/postgresql/data');
  t.true(pg !== undefined && named.includes(pg.source!), 'PostgreSQL data is not in a named volume');
  const uploads = mounts(app!).find((m) => m.target === `${app!.environment!.DATA_DIR}/uploads`);
  t.true(uploads !== undefined && named.includes(uploads.source!), 'uploads are not in a named volume');
});

test('Mailpit offers SMTP on 1025 and its web UI on 8025; Redis and PostgreSQL use pinned images', (t) => {
  t.true(mailpit!.ports!.includes('127.0.0.1:1025:1025'));
  t.true(mailpit!.ports!.includes('127.0.0.1:8025:8025'));
  for (const service of [postgres!, redis!, mailpit!]) t.regex(service.image ?? '', /:[\w.-]+$/);
  t.notRegex(`${postgres!.image} ${redis!.image} ${mailpit!.image}`, /:latest\b/);
});

test('docker-compose validates the file', (t) => {
  const probe = spawnSync('docker-compose', ['version'], { stdio: 'ignore' });
  if (probe.error) {
    t.pass('docker-compose is not installed (.ci/run installs it)');
    return;
  }
  t.notThrows(() => execFileSync('docker-compose', ['config', '-q'], { stdio: 'pipe' }));
  const env = { ...process.env, JWT_SECRET: 'x'.repeat(32) };
  t.notThrows(() => execFileSync('docker-compose', ['-f', 'docker-compose.yml', '-f', 'docker-compose.scale.yml', 'config', '-q'], { stdio: 'pipe', env }));
});

test('the Dockerfile builds in a first stage and runs production dependencies only, as a non-root user, with a healthcheck', (t) => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  t.true(stages.length >= 2, 'multi-stage');
  const final = stages.at(-1)!;
  t.regex(stages[0]!, /RUN npm ci\b/);
  t.regex(stages[0]!, /RUN npm run build\b/);
  t.regex(final, /npm ci --omit=dev/);
  t.regex(final, /COPY --from=\w+ \/app\/dist \.\/dist/);
  t.notRegex(final, /COPY (src|\.) /, 'the final image gets no sources');
  const user = /^USER (\S+)/m.exec(final)?.[1];
  t.truthy(user);
  t.not(user, 'root');
  t.not(user, '0');
  t.regex(/^HEALTHCHECK .*/ms.exec(final)?.[0] ?? '', /\/health\b/);
});

test('the Dockerfile starts the server the build emits', (t) => {
  const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
  t.is(build.compilerOptions.rootDir, '.');
  const cmd = /^CMD (.*)$/m.exec(dockerfile)?.[1];
  t.deepEqual(JSON.parse(cmd ?? 'null'), ['node', ...PRODUCTION_NODE_FLAGS, `${build.compilerOptions.outDir}/src/infrastructure/main.js`]);
  const ignored = readFileSync('.dockerignore', 'utf8')
    .split('\n')
    .map((line) => line.trim());
  for (const needed of ['src', 'migrations', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
    t.false(ignored.includes(needed), `.dockerignore leaves out ${needed}`);
  }
  for (const kept of ['node_modules', '.env', 'data']) t.true(ignored.includes(kept), `.dockerignore should leave out ${kept}`);
});

test('the image and npm start run the server with the production environment (glibc arenas capped)', (t) => {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  for (const [name, value] of Object.entries(PRODUCTION_ENV)) {
    t.regex(dockerfile, new RegExp(`^ENV ${name}=${value}$`, 'm'), `the Dockerfile sets ${name}=${value}`);
    t.true(start.startsWith(`${name}=${value} `) || start.includes(` ${name}=${value} `), `npm start sets ${name}=${value}`);
  }
});
