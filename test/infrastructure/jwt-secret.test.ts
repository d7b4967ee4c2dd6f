import test from 'ava';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/infrastructure/config.js';
import { GENERATED_JWT_SECRET_FILE, resolveJwtSecret } from '../../src/infrastructure/jwt-secret.js';

async function scratch(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jwt-secret-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'data');
}

test('an unset JWT_SECRET in development becomes a random secret kept under DATA_DIR with mode 0600, reused on the next start', async (t) => {
  const dataDir = await scratch(t);
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
  const first = await resolveJwtSecret(config);
  t.true(Buffer.byteLength(first) >= 32);
  const file = path.join(dataDir, GENERATED_JWT_SECRET_FILE);
  t.is((await readFile(file, 'utf8')).trim(), first);
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.is(await resolveJwtSecret(config), first, 'a restart reuses the secret');

  const other = await scratch(t);
  t.not(await resolveJwtSecret(loadConfig({ DATA_DIR: other })), first, 'two installs never share a secret');
});

test('instances starting together on one DATA_DIR agree on one secret', async (t) => {
  const dataDir = await scratch(t);
  const config = loadConfig({ DATA_DIR: dataDir });
  const secrets = await Promise.all(Array.from({ length: 8 }, () => resolveJwtSecret(config)));
  t.is(new Set(secrets).size, 1);
});

test('a set JWT_SECRET is used as given and no file is written; a loosened file is tightened back to 0600', async (t) => {
  const dataDir = await scratch(t);
  t.is(await resolveJwtSecret(loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'y'.repeat(40) })), 'y'.repeat(40));
  await t.throwsAsync(stat(path.join(dataDir, GENERATED_JWT_SECRET_FILE)), { code: 'ENOENT' });

  const config = loadConfig({ DATA_DIR: dataDir });
  const secret = await resolveJwtSecret(config);
  const file = path.join(dataDir, GENERATED_JWT_SECRET_FILE);
  await writeFile(file, `${secret}\n`, { mode: 0o644 });
  await import('node:fs/promises').then((fs) => fs.chmod(file, 0o644));
  t.is(await resolveJwtSecret(config), secret);
  t.is((await stat(file)).mode & 0o777, 0o600);
});
