import test from 'ava';
import { ConfigError, CONFIG_VARIABLES, DEVELOPMENT_JWT_SECRET, loadConfig } from '../../src/infrastructure/config.js';

test('defaults follow the contract when nothing is set', (t) => {
  const config = loadConfig({});
  t.like(config, {
    port: 3000,
    publicUrl: 'http://localhost:3000',
    databaseUrl: '',
    redisUrl: '',
    jwtAccessTtlS: 900,
    jwtRefreshTtlS: 1_209_600,
    verifyTokenTtlS: 86_400,
    resetTokenTtlS: 3600,
    rateLimitContactsMax: 100,
    rateLimitContactCreateMax: 10,
    rateLimitContactsWindowS: 60,
    rateLimitAuthMax: 20,
    rateLimitAuthWindowS: 60,
    rateLimitLoginFailuresMax: 10,
    trustProxy: false,
    avatarMaxBytes: 2_097_152,
    userCacheTtlS: 300,
    bcryptRounds: 12,
    logLevel: 'info',
  });
  t.deepEqual(config.corsOrigins, ['http://localhost:3000']);
  t.true(Object.isFrozen(config));
});

test('values are read and typed; PUBLIC_URL follows PORT and loses its trailing slash', (t) => {
  const config = loadConfig({ PORT: '8080', TRUST_PROXY: 'true', CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' });
  t.is(config.port, 8080);
  t.is(config.publicUrl, 'http://localhost:8080');
  t.true(config.trustProxy);
  t.deepEqual(config.corsOrigins, ['https://a.example.com', 'http://localhost:5173']);
  t.is(loadConfig({ PUBLIC_URL: 'https://contacts.example.com/' }).publicUrl, 'https://contacts.example.com');
});

const bad: Array<[Record<string, string>, string]> = [
  [{ PORT: 'abc' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
  [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
  [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
  [{ SMTP_URL: '://' }, 'SMTP_URL'],
  [{ BCRYPT_ROUNDS: 'twelve' }, 'BCRYPT_ROUNDS'],
  [{ JWT_ACCESS_TTL_S: '-5' }, 'JWT_ACCESS_TTL_S'],
  [{ CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' }, 'CORS_ORIGINS'],
  [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
  [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
];
for (const [env, variable] of bad) {
  test(`a bad ${variable} stops the start with one line naming it (${JSON.stringify(env)})`, (t) => {
    const error = t.throws(() => loadConfig(env), { instanceOf: ConfigError });
    t.true(error!.message.startsWith(`${variable}:`), error!.message);
    t.false(error!.message.includes('\n'));
  });
}

test('a bad secret URL is named without echoing its credentials', (t) => {
  const error = t.throws(() => loadConfig({ SMTP_URL: 'http://user:hunter2@mail.example.com' }), { instanceOf: ConfigError });
  t.true(error!.message.startsWith('SMTP_URL:'));
  t.false(error!.message.includes('hunter2'));
});

test('production refuses to start without a JWT secret of at least 32 bytes, or without SMTP_URL, naming the variable', (t) => {
  const smtp = { SMTP_URL: 'smtp://mail.example.com:25' };
  t.throws(() => loadConfig({ NODE_ENV: 'production', ...smtp }), { instanceOf: ConfigError, message: /^JWT_SECRET: must be set/ });
  t.throws(() => loadConfig({ NODE_ENV: 'production', ...smtp, JWT_SECRET: DEVELOPMENT_JWT_SECRET }), { instanceOf: ConfigError, message: /^JWT_SECRET:/ });
  t.throws(() => loadConfig({ NODE_ENV: 'production', ...smtp, JWT_SECRET: 'short-secret' }), { instanceOf: ConfigError, message: /^JWT_SECRET: .*32 bytes/ });
  t.throws(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }), { instanceOf: ConfigError, message: /^SMTP_URL: must be set/ });
  t.is(loadConfig({ NODE_ENV: 'production', ...smtp, JWT_SECRET: 'x'.repeat(32) }).jwtSecret, 'x'.repeat(32));
  t.notThrows(() => loadConfig({ NODE_ENV: 'development', JWT_SECRET: 'short' }));
  t.is(loadConfig({}).jwtSecret, '', 'no secret ships as a default');
});

const PRODUCTION = { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com:25', JWT_SECRET: 'x'.repeat(32) };

test('production refuses a PUBLIC_URL over http:// other than localhost, in one line naming PUBLIC_URL', (t) => {
  for (const url of [
    'http://contacts.example.com',
    'http://contacts.example.com:8080/',
    'http://10.0.0.5:3000',
    'http://localhost.example.com',
    'http://127.0.0.2',
  ]) {
    const error = t.throws(() => loadConfig({ ...PRODUCTION, PUBLIC_URL: url }), { instanceOf: ConfigError }, url);
    t.regex(error!.message, /^PUBLIC_URL: must be an https:\/\/ URL/, url);
    t.false(error!.message.includes('\n'));
  }
  for (const url of ['https://contacts.example.com', 'http://localhost:8080', 'http://LOCALHOST', 'http://127.0.0.1:3000/', 'http://[::1]:3000']) {
    t.is(loadConfig({ ...PRODUCTION, PUBLIC_URL: url }).publicUrl, url.replace(/\/$/, ''), url);
  }
  t.is(loadConfig({ ...PRODUCTION, PORT: '8080' }).publicUrl, 'http://localhost:8080', 'the default (localhost) is allowed');
  t.notThrows(() => loadConfig({ PUBLIC_URL: 'http://contacts.example.com' }), 'development takes any http:// URL');
});

test('production refuses BCRYPT_ROUNDS below 10, in one line naming BCRYPT_ROUNDS', (t) => {
  for (const rounds of ['4', '9']) {
    const error = t.throws(() => loadConfig({ ...PRODUCTION, BCRYPT_ROUNDS: rounds }), { instanceOf: ConfigError }, rounds);
    t.is(error!.message, 'BCRYPT_ROUNDS: must be at least 10 with NODE_ENV=production');
  }
  t.is(loadConfig({ ...PRODUCTION, BCRYPT_ROUNDS: '10' }).bcryptRounds, 10);
  t.is(loadConfig(PRODUCTION).bcryptRounds, 12);
  t.is(loadConfig({ BCRYPT_ROUNDS: '4' }).bcryptRounds, 4, 'development and tests may hash cheaply');
});

test('every variable of the contract is known to the config', (t) => {
  const known = new Set(CONFIG_VARIABLES.map((v) => v.variable));
  for (const variable of [
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
    'USER_CACHE_TTL_S',
    'BCRYPT_ROUNDS',
    'LOG_LEVEL',
  ]) {
    t.true(known.has(variable), variable);
  }
});

test('deployment settings: DATABASE_POOLER none|transaction, DATABASE_POOL_MAX, MIGRATE_ON_START, SMTP_REQUIRE_TLS', (t) => {
  t.like(loadConfig({}), { databasePooler: 'none', databasePoolMax: 10, migrateOnStart: true, smtpRequireTls: false });
  t.like(loadConfig({ DATABASE_POOLER: 'transaction', DATABASE_POOL_MAX: '4', MIGRATE_ON_START: 'false', SMTP_REQUIRE_TLS: 'true' }), {
    databasePooler: 'transaction',
    databasePoolMax: 4,
    migrateOnStart: false,
    smtpRequireTls: true,
  });
  t.throws(() => loadConfig({ DATABASE_POOLER: 'pgbouncer' }), { instanceOf: ConfigError, message: /^DATABASE_POOLER: / });
  t.throws(() => loadConfig({ DATABASE_POOL_MAX: '0' }), { instanceOf: ConfigError, message: /^DATABASE_POOL_MAX: / });
  t.throws(() => loadConfig({ MIGRATE_ON_START: 'sometimes' }), { instanceOf: ConfigError, message: /^MIGRATE_ON_START: / });
  t.throws(() => loadConfig({ SMTP_REQUIRE_TLS: 'yes please' }), { instanceOf: ConfigError, message: /^SMTP_REQUIRE_TLS: / });
});
