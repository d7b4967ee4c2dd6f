import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { CONFIG_VARIABLES, loadConfig } from '../../src/infrastructure/config.js';

// .env, the README's configuration table and the config schema must list exactly the same
// variables: whoever adds one adds it to all three.

const envFile = parseEnv(readFileSync('.env', 'utf8'));

/** Rows of the table under "## Configuration": every `UPPER_CASE` name in the first cell, with the default cell. */
function readmeRows(): { variable: string; defaultCell: string }[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => {
      const [first = '', defaultCell = ''] = line
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      return [...first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => ({ variable: m[1]!, defaultCell }));
    });
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();
const schemaVariables = sorted(CONFIG_VARIABLES.map((v) => v.variable));

test('.env lists exactly the variables of the config schema', (t) => {
  t.deepEqual(sorted(Object.keys(envFile)), schemaVariables);
});

test("the README's configuration table lists exactly the variables of the config schema, once each", (t) => {
  const rows = readmeRows();
  t.deepEqual(sorted(rows.map((r) => r.variable)), schemaVariables);
  t.is(rows.length, new Set(rows.map((r) => r.variable)).size, 'a variable appears twice');
});

test('every variable of the contract is in the config schema', (t) => {
  const contract = [
    'PORT',
    'PUBLIC_URL',
    'DATABASE_URL',
    'REDIS_URL',
    'SMTP_URL',
    'MAIL_FROM',
    'CLOUDINARY_URL',
    'JWT_SECRET',
    'JWT_ACCESS_TTL_S',
    'JWT_REFRESH_TTL_S',
    'VERIFY_TOKEN_TTL_S',
    'RESET_TOKEN_TTL_S',
    'CORS_ORIGINS',
    'RATE_LIMIT_CONTACTS_MAX',
    'RATE_LIMIT_CONTACT_CREATE_MAX',
    'RATE_LIMIT_CONTACTS_WINDOW_S',
    'RATE_LIMIT_AUTH_MAX',
    'RATE_LIMIT_AUTH_WINDOW_S',
    'RATE_LIMIT_LOGIN_FAILURES_MAX',
    'TRUST_PROXY',
    'AVATAR_MAX_BYTES',
    'CONTACTS_IMPORT_MAX_BYTES',
    'USER_CACHE_TTL_S',
    'BCRYPT_ROUNDS',
    'LOG_LEVEL',
  ];
  t.deepEqual(
    contract.filter((variable) => !schemaVariables.includes(variable)),
    [],
  );
});

test('a default the README spells as one literal is the schema default', (t) => {
  const defaults = loadConfig({}) as Record<string, unknown>;
  let compared = 0;
  for (const { variable, defaultCell } of readmeRows()) {
    const literal = /^`([^`$]*)`$/.exec(defaultCell)?.[1];
    if (literal === undefined) continue;
    const key = CONFIG_VARIABLES.find((v) => v.variable === variable)!.key;
    const value = defaults[key];
    t.is(Array.isArray(value) ? value.join(',') : String(value), literal, variable);
    compared += 1;
  }
  t.true(compared >= 20, `only ${compared} defaults compared`);
});

test('.env is a valid development configuration that ships no JWT secret, which production refuses', (t) => {
  const config = loadConfig(envFile);
  t.is(config.nodeEnv, 'development');
  t.is(envFile.JWT_SECRET, '');
  t.is(config.jwtSecret, '');
  t.throws(() => loadConfig({ ...envFile, NODE_ENV: 'production' }), { message: /^JWT_SECRET:/ });
});

test('loadConfig reads only the variables it is given, never process.env behind their back', (t) => {
  process.env.LOG_LEVEL = 'trace';
  try {
    t.is(loadConfig({}).logLevel, 'info');
    t.is(loadConfig({ LOG_LEVEL: 'warn' }).logLevel, 'warn');
  } finally {
    delete process.env.LOG_LEVEL;
  }
});
