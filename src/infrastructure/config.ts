import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import convict from 'convict';

/** The secret .env used to ship (every install shared it); refused in production should an old .env still hold it. */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-change-me-0123456789';

/** Hosts a production PUBLIC_URL may name over plain http:// (as URL.hostname spells them). */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const MIN_PRODUCTION_BCRYPT_ROUNDS = 10;

const positiveInt = {
  name: 'positive-int',
  validate(value: unknown) {
    if (!Number.isInteger(value) || (value as number) < 1) throw new Error('must be a whole number of at least 1');
  },
  coerce: (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value),
};

const wholeNumber = {
  name: 'whole-number',
  validate(value: unknown) {
    if (!Number.isInteger(value) || (value as number) < 0) throw new Error('must be a whole number (0 or more)');
  },
  coerce: positiveInt.coerce,
};

function urlFormat(name: string, protocols: string[]) {
  return {
    name,
    validate(value: unknown) {
      if (value === '' || value === null) return;
      let url: URL;
      try {
        url = new URL(String(value));
      } catch {
        throw new Error(`must be a URL (${protocols.join(', ')})`);
      }
      if (!protocols.includes(url.protocol)) throw new Error(`must be a URL (${protocols.join(', ')})`);
    },
  };
}

convict.addFormats({
  'positive-int': positiveInt,
  'whole-number': wholeNumber,
  'http-url': urlFormat('http-url', ['http:', 'https:']),
  'postgres-url': urlFormat('postgres-url', ['postgres:', 'postgresql:']),
  'redis-url': urlFormat('redis-url', ['redis:', 'rediss:']),
  'smtp-url': urlFormat('smtp-url', ['smtp:', 'smtps:']),
  'cloudinary-url': {
    name: 'cloudinary-url',
    validate(value: unknown) {
      if (value === '' || value === null) return;
      const shape = 'must look like cloudinary://api_key:api_secret@cloud_name';
      let url: URL;
      try {
        url = new URL(String(value));
      } catch {
        throw new Error(shape);
      }
      if (url.protocol !== 'cloudinary:' || !url.hostname || !url.username || !url.password) throw new Error(shape);
      const prefix = url.searchParams.get('upload_prefix');
      if (prefix !== null && !/^https?:\/\/[^/]+/.test(prefix)) throw new Error('upload_prefix must be an http(s) URL');
    },
  },
  'origin-list': {
    name: 'origin-list',
    validate(value: unknown) {
      for (const origin of value as string[]) {
        let url: URL;
        try {
          url = new URL(origin);
        } catch {
          throw new Error(`"${origin}" is not an origin such as https://app.example.com`);
        }
        if (url.origin !== origin) throw new Error(`"${origin}" is not an origin such as https://app.example.com`);
      }
    },
    coerce: (value: unknown) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
        : value,
  },
  boolean: {
    name: 'boolean',
    validate(value: unknown) {
      if (typeof value !== 'boolean') throw new Error('must be true or false');
    },
    coerce: (value: unknown) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value),
  },
});

const schema = {
  nodeEnv: { env: 'NODE_ENV', format: ['development', 'production', 'test'], default: 'development' },
  port: { env: 'PORT', format: 'port', default: 3000 },
  publicUrl: { env: 'PUBLIC_URL', format: 'http-url', default: '' },
  databaseUrl: { env: 'DATABASE_URL', format: 'postgres-url', default: '' },
  redisUrl: { env: 'REDIS_URL', format: 'redis-url', default: '' },
  smtpUrl: { env: 'SMTP_URL', format: 'smtp-url', default: '', sensitive: true },
  mailFrom: { env: 'MAIL_FROM', format: String, default: 'Contacts <no-reply@localhost>' },
  cloudinaryUrl: { env: 'CLOUDINARY_URL', format: 'cloudinary-url', default: '', sensitive: true },
  cloudinaryTimeoutMs: { env: 'CLOUDINARY_TIMEOUT_MS', format: 'positive-int', default: 10_000 },
  dataDir: { env: 'DATA_DIR', format: String, default: './data' },
  jwtSecret: { env: 'JWT_SECRET', format: String, default: '', sensitive: true },
  jwtAccessTtlS: { env: 'JWT_ACCESS_TTL_S', format: 'positive-int', default: 900 },
  jwtRefreshTtlS: { env: 'JWT_REFRESH_TTL_S', format: 'positive-int', default: 1_209_600 },
  verifyTokenTtlS: { env: 'VERIFY_TOKEN_TTL_S', format: 'positive-int', default: 86_400 },
  resetTokenTtlS: { env: 'RESET_TOKEN_TTL_S', format: 'positive-int', default: 3600 },
  corsOrigins: { env: 'CORS_ORIGINS', format: 'origin-list', default: ['http://localhost:3000'] },
  rateLimitContactsMax: { env: 'RATE_LIMIT_CONTACTS_MAX', format: 'positive-int', default: 100 },
  rateLimitContactCreateMax: { env: 'RATE_LIMIT_CONTACT_CREATE_MAX', format: 'positive-int', default: 10 },
  rateLimitContactsWindowS: { env: 'RATE_LIMIT_CONTACTS_WINDOW_S', format: 'positive-int', default: 60 },
  rateLimitAuthMax: { env: 'RATE_LIMIT_AUTH_MAX', format: 'positive-int', default: 20 },
  rateLimitAuthWindowS: { env: 'RATE_LIMIT_AUTH_WINDOW_S', format: 'positive-int', default: 60 },
  rateLimitLoginFailuresMax: { env: 'RATE_LIMIT_LOGIN_FAILURES_MAX', format: 'positive-int', default: 10 },
  rateLimitAccountMax: { env: 'RATE_LIMIT_ACCOUNT_MAX', format: 'positive-int', default: 10 },
  rateLimitAccountWindowS: { env: 'RATE_LIMIT_ACCOUNT_WINDOW_S', format: 'positive-int', default: 60 },
  rateLimitDavMax: { env: 'RATE_LIMIT_DAV_MAX', format: 'positive-int', default: 1000 },
  rateLimitDavWindowS: { env: 'RATE_LIMIT_DAV_WINDOW_S', format: 'positive-int', default: 60 },
  trustProxy: { env: 'TRUST_PROXY', format: 'boolean', default: false },
  avatarMaxBytes: { env: 'AVATAR_MAX_BYTES', format: 'positive-int', default: 2_097_152 },
  contactsImportMaxBytes: { env: 'CONTACTS_IMPORT_MAX_BYTES', format: 'positive-int', default: 5_242_880 },
  contactPhotoMaxBytes: { env: 'CONTACT_PHOTO_MAX_BYTES', format: 'positive-int', default: 5_242_880 },
  contactsTrashDays: { env: 'CONTACTS_TRASH_DAYS', format: 'positive-int', default: 30 },
  userCacheTtlS: { env: 'USER_CACHE_TTL_S', format: 'positive-int', default: 300 },
  bcryptRounds: { env: 'BCRYPT_ROUNDS', format: 'positive-int', default: 12 },
  smtpTimeoutMs: { env: 'SMTP_TIMEOUT_MS', format: 'positive-int', default: 5000 },
  smtpRequireTls: { env: 'SMTP_REQUIRE_TLS', format: 'boolean', default: false },
  databaseConnectTimeoutMs: { env: 'DATABASE_CONNECT_TIMEOUT_MS', format: 'positive-int', default: 3000 },
  databaseAcquireTimeoutMs: { env: 'DATABASE_ACQUIRE_TIMEOUT_MS', format: 'positive-int', default: 5000 },
  databaseQueryTimeoutMs: { env: 'DATABASE_QUERY_TIMEOUT_MS', format: 'positive-int', default: 5000 },
  databasePooler: { env: 'DATABASE_POOLER', format: ['none', 'transaction'], default: 'none' },
  databasePoolMax: { env: 'DATABASE_POOL_MAX', format: 'positive-int', default: 10 },
  databaseReadPoolMax: { env: 'DATABASE_READ_POOL_MAX', format: 'whole-number', default: 10 },
  migrateOnStart: { env: 'MIGRATE_ON_START', format: 'boolean', default: true },
  redisTimeoutMs: { env: 'REDIS_TIMEOUT_MS', format: 'positive-int', default: 500 },
  shutdownTimeoutMs: { env: 'SHUTDOWN_TIMEOUT_MS', format: 'positive-int', default: 10_000 },
  outboxPollIntervalMs: { env: 'OUTBOX_POLL_INTERVAL_MS', format: 'positive-int', default: 1000 },
  outboxMaxAttempts: { env: 'OUTBOX_MAX_ATTEMPTS', format: 'positive-int', default: 20 },
  outboxRetryBaseMs: { env: 'OUTBOX_RETRY_BASE_MS', format: 'positive-int', default: 2000 },
  outboxRetryMaxMs: { env: 'OUTBOX_RETRY_MAX_MS', format: 'positive-int', default: 600_000 },
  logLevel: { env: 'LOG_LEVEL', format: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
};

type Schema = typeof schema;
type ValueOf<K extends keyof Schema> = Schema[K]['default'] extends number
  ? number
  : Schema[K]['default'] extends boolean
    ? boolean
    : Schema[K]['default'] extends string[]
      ? string[]
      : string;
export type Config = Readonly<{ [K in keyof Schema]: ValueOf<K> }>;

/** A configuration value that stops the start; its message is one line naming the variable. */
export class ConfigError extends Error {}

/** Every variable the app reads, with its key in Config. */
export const CONFIG_VARIABLES: ReadonlyArray<{ variable: string; key: keyof Config }> = Object.entries(schema).map(([key, spec]) => ({
  variable: spec.env,
  key: key as keyof Config,
}));

/** Reads `.env` (when present) under the real environment, which wins. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, envFile = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...env };
}

/** Validates and freezes the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = readEnvironment()): Config {
  const cleaned: Record<string, string> = {};
  for (const { variable } of CONFIG_VARIABLES) {
    const value = env[variable];
    if (value !== undefined && value.trim() !== '') cleaned[variable] = value.trim();
  }
  // convict would otherwise read process.env (and argv) itself, behind the `env` argument's back.
  const config = convict(schema, { env: {}, args: [] });
  try {
    config.load({});
    for (const { variable, key } of CONFIG_VARIABLES) {
      if (cleaned[variable] !== undefined) config.set(key, coerce(key, cleaned[variable]) as never);
    }
    config.validate({ allowed: 'strict' });
  } catch (error) {
    throw new ConfigError(describe(error));
  }
  const values = config.getProperties() as unknown as { -readonly [K in keyof Config]: Config[K] };
  if (!values.publicUrl) values.publicUrl = `http://localhost:${values.port}`;
  values.publicUrl = values.publicUrl.replace(/\/+$/, '');
  if (values.nodeEnv === 'production') {
    if (!values.jwtSecret) {
      throw new ConfigError('JWT_SECRET: must be set (at least 32 random bytes) with NODE_ENV=production');
    }
    if (values.jwtSecret === DEVELOPMENT_JWT_SECRET) {
      throw new ConfigError('JWT_SECRET: the development secret cannot be used with NODE_ENV=production');
    }
    if (Buffer.byteLength(values.jwtSecret, 'utf8') < 32) {
      throw new ConfigError('JWT_SECRET: must be at least 32 bytes with NODE_ENV=production');
    }
    if (!values.smtpUrl) {
      throw new ConfigError('SMTP_URL: must be set with NODE_ENV=production (without it emails only go to files under DATA_DIR)');
    }
    // The links in emails carry one-time tokens: over plain HTTP anyone on the path reads them.
    const publicUrl = new URL(values.publicUrl);
    if (publicUrl.protocol !== 'https:' && !LOOPBACK_HOSTS.includes(publicUrl.hostname)) {
      throw new ConfigError('PUBLIC_URL: must be an https:// URL with NODE_ENV=production (http:// only for localhost, 127.0.0.1 or [::1])');
    }
    if (values.bcryptRounds < MIN_PRODUCTION_BCRYPT_ROUNDS) {
      throw new ConfigError(`BCRYPT_ROUNDS: must be at least ${MIN_PRODUCTION_BCRYPT_ROUNDS} with NODE_ENV=production`);
    }
  }
  return Object.freeze(values);
}

function coerce(key: keyof Config, raw: string): unknown {
  const spec = schema[key] as { format: unknown };
  if (spec.format === 'positive-int') return positiveInt.coerce(raw);
  if (spec.format === 'port') return /^\d+$/.test(raw) ? Number(raw) : raw;
  if (spec.format === 'boolean') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  if (spec.format === 'origin-list')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  return raw;
}

/** convict says `port: ports must be within range 0 - 65535: value was "abc"`; we name the variable. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  const match = /^([A-Za-z]+): (.*)$/.exec(first);
  if (!match) return first;
  const entry = CONFIG_VARIABLES.find((v) => v.key === match[1]);
  const detail = (match[2] ?? '').replace(/: value was .*$/, '');
  const sensitive = entry && (schema[entry.key] as { sensitive?: boolean }).sensitive;
  return `${entry ? entry.variable : match[1]}: ${sensitive ? detail.replace(/"[^"]*"/g, '(hidden)') : detail}`;
}
