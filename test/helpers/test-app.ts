import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientErrors } from '../../src/adapters/http/client-errors.js';
import type { Logger } from '../../src/application/ports/logger.js';
import type { PasswordHasher } from '../../src/application/ports/password-hasher.js';
import type { UserCache } from '../../src/application/ports/user-cache.js';
import type { ContactView } from '../../src/domain/contact.js';
import { loadConfig, type Config } from '../../src/infrastructure/config.js';
import { buildContainer, type Container } from '../../src/infrastructure/container.js';
import { CapturingLogger, CapturingMailer, type FakeClock } from '../fakes/fakes.js';
import type { Backend, TestDatabase } from './databases.js';
import { pgliteBackend } from './databases.js';
import { ConformanceLog } from './openapi-conformance.js';
import { deleteKeys } from './redis-servers.js';

export interface TestApp {
  url: string;
  container: Container;
  config: Config;
  /** Every email the app sent (none when `configuredMailer` lets the app use its real mailer). */
  mailer: CapturingMailer;
  logger: CapturingLogger;
  db: TestDatabase;
  /**
   * fetch against the app; JSON bodies are encoded for you. Before it resolves, every email due
   * was handed to the mailer (as the dispatcher would within a moment), so `app.mailer` is up to date.
   */
  request(path: string, init?: RequestInit & { json?: unknown; token?: string }): Promise<Response>;
  /** Waits until every email due in the outbox has been attempted. */
  flushOutbox(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  backend?: Backend;
  env?: Record<string, string>;
  clock?: FakeClock;
  cache?: UserCache;
  /** Prefix of the app's Redis keys; random unless given (two apps given the same one share counts). */
  redisKeyPrefix?: string;
  /** PUBLIC_URL is the test server's own address, so a browser can open the links in emails. */
  publicUrlIsServer?: boolean;
  /** Let the container pick its mailer from the config (SMTP_URL) instead of capturing emails. */
  configuredMailer?: boolean;
  /** Replaces the bcrypt worker pool (the container closes it with the app). */
  hasher?: PasswordHasher & { close?: () => Promise<void> };
  /** Replaces the capturing logger (app.logger then stays empty), e.g. a real pino logger writing to a buffer. */
  logger?: Logger;
}

/** Every test of a file shares one client IP: limits stay out of the way unless a test sets its own. */
const GENEROUS_LIMITS = {
  RATE_LIMIT_AUTH_MAX: '100000',
  RATE_LIMIT_LOGIN_FAILURES_MAX: '100000',
  RATE_LIMIT_CONTACTS_MAX: '100000',
  RATE_LIMIT_CONTACT_CREATE_MAX: '100000',
  RATE_LIMIT_ACCOUNT_MAX: '100000',
};

/** A Redis key prefix no other test uses. */
export function randomRedisPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** The whole app as main builds it, on a server at port 0, with a capturing mailer and BCRYPT_ROUNDS=4. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  // Listening first gives the address PUBLIC_URL may need; no one knows it before the app is built.
  let handle: RequestListener | undefined;
  const conformance = new ConformanceLog();
  const server: Server = createServer(conformance.wrap((req, res) => handle!(req, res)));
  answerClientErrors(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const publicUrl = options.publicUrlIsServer ? url : 'http://app.test';
  const redisKeyPrefix = options.redisKeyPrefix ?? randomRedisPrefix();
  const mailer = new CapturingMailer();
  const logger = new CapturingLogger();
  let config: Config, db: TestDatabase, container: Container;
  try {
    config = loadConfig({ BCRYPT_ROUNDS: '4', LOG_LEVEL: 'silent', NODE_ENV: 'test', PUBLIC_URL: publicUrl, ...GENEROUS_LIMITS, ...options.env });
    db = await (options.backend ?? pgliteBackend).create({ poolMax: config.databasePoolMax });
    container = await buildContainer(config, {
      database: db,
      ...(options.configuredMailer ? {} : { mailer }),
      logger: options.logger ?? logger,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.hasher ? { hasher: options.hasher } : {}),
      redisKeyPrefix,
    });
  } catch (error) {
    server.close();
    throw error;
  }
  handle = container.app.callback();

  return {
    url,
    container,
    config,
    mailer,
    logger,
    db,
    async request(path, init = {}) {
      const { json, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined) headers.set('Content-Type', 'application/json');
      if (token) headers.set('Authorization', `Bearer ${token}`);
      const response = await fetch(url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
      await container.tasks.drain();
      await container.dispatcher.drain();
      conformance.assertConforms(response);
      return response;
    },
    async flushOutbox() {
      await container.tasks.drain();
      await container.dispatcher.drain();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await container.close();
      await db.drop();
      if (config.redisUrl) await deleteKeys(config.redisUrl, redisKeyPrefix).catch(() => {});
      conformance.assertNoneLeft();
    },
  };
}

export const PASSWORD = 'a perfectly fine passphrase';

let counter = 0;
/** An address no other test of this process uses. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}.${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/**
 * Registers one app per backend for a whole test file (starting a database per test is slow).
 * Tests share it, so each uses its own addresses (uniqueEmail). A backend that is down is skipped,
 * unless REQUIRE_SERVICES is set, in which case its tests fail.
 */
export function eachBackend(
  backends: Backend[],
  register: (it: (title: string, body: (t: ExecutionContext, app: TestApp) => Promise<void>) => void, backend: Backend) => void,
  options: Omit<TestAppOptions, 'backend'> & { serial?: boolean } = {},
): void {
  // Serial for files whose tests would otherwise pile dozens of concurrent requests onto one PGlite app.
  const { serial, ...appOptions } = options;
  const declare = serial ? test.serial : test;
  for (const backend of backends) {
    let app: TestApp | undefined;
    let up = true;
    test.before(async () => {
      up = await backend.available();
      if (up) app = await startTestApp({ ...appOptions, backend });
    });
    test.after.always(async () => {
      await app?.close();
    });
    register((title, body) => {
      declare(`[${backend.name}] ${title}`, async (t) => {
        if (!up) return t.pass(`${backend.name} is not running`);
        await body(t, app!);
      });
    }, backend);
  }
}

/** Signs up, verifies and logs in a user; returns its tokens. */
export async function signUpAndLogIn(app: TestApp, email = uniqueEmail(), password = PASSWORD) {
  const signup = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Someone', email, password } });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  const verify = await app.request(`/api/auth/verify-email?token=${app.mailer.lastToken('verify-email', email)}`);
  if (verify.status !== 200) throw new Error(`verify answered ${verify.status}`);
  const login = await app.request('/api/auth/login', { method: 'POST', json: { email, password } });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const tokens = (await login.json()) as { accessToken: string; refreshToken: string };
  const user = ((await signup.json()) as { user: { id: string } }).user;
  return { ...tokens, email, password, userId: user.id };
}

/** Every contact of the caller's book, read a page of 100 at a time. */
export async function allContacts(app: TestApp, token: string): Promise<ContactView[]> {
  const items: ContactView[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (await (await app.request(`/api/contacts?limit=100&offset=${offset}`, { token })).json()) as { items: ContactView[]; total: number };
    items.push(...page.items);
    if (items.length >= page.total) return items;
  }
}
