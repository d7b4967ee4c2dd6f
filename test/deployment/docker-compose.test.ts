import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/infrastructure/config.js';
import { PRODUCTION_NODE_FLAGS } from '../../src/infrastructure/node-flags.js';

// There is no Docker engine on our machines: these tests read the files Docker would read.

interface Service {
  image?: string;
  build?: unknown;
  env_file?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const { app, postgres, redis, mailpit } = compose.services;
const dockerfile = readFileSync('Dockerfile', 'utf8');

test('compose runs the app with PostgreSQL, Redis and Mailpit, each with a healthcheck', (t) => {
  t.deepEqual(Object.keys(compose.services).sort(), ['app', 'mailpit', 'postgres', 'redis']);
  for (const [name, service] of Object.entries(compose.services)) {
    t.true(Array.isArray(service.healthcheck?.test) && service.healthcheck.test.length > 1, `${name} has no healthcheck`);
  }
  t.regex(app!.healthcheck!.test!.join(' '), /\/health\b/);
  t.truthy(app!.build, 'the app is built from the Dockerfile');
});

test('the app starts only once its services are healthy, reads .env, and reaches them by service name', (t) => {
  t.deepEqual(app!.depends_on, {
    postgres: { condition: 'service_healthy' },
    redis: { condition: 'service_healthy' },
    mailpit: { condition: 'service_healthy' },
  });
  t.deepEqual([app!.env_file].flat(), ['.env']);
  const env = app!.environment!;
  t.is(new URL(env.DATABASE_URL!).hostname, 'postgres');
  t.is(new URL(env.REDIS_URL!).hostname, 'redis');
  t.is(new URL(env.SMTP_URL!).host, 'mailpit:1025');
  const known = CONFIG_VARIABLES.map((v) => v.variable);
  t.deepEqual(Object.keys(env).filter((variable) => !known.includes(variable)), [], 'unknown variables in the app environment');
  // What the container sees: .env under the compose environment, which wins.
  const config = loadConfig({ ...parseEnv(readFileSync('.env', 'utf8')), ...env });
  t.is(config.port, 3000);
  t.true(app!.ports!.includes(`${config.port}:${config.port}`));
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
  t.true(mailpit!.ports!.includes('1025:1025'));
  t.true(mailpit!.ports!.includes('8025:8025'));
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
  const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((line) => line.trim());
  for (const needed of ['src', 'migrations', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
    t.false(ignored.includes(needed), `.dockerignore leaves out ${needed}`);
  }
  for (const kept of ['node_modules', '.env', 'data']) t.true(ignored.includes(kept), `.dockerignore should leave out ${kept}`);
});
