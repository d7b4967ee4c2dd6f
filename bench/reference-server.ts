/**
 * The benchmark's yardstick: what a careful engineer would write by hand for the same work as the
 * API's authenticated `GET /api/contacts/:id`, `GET /api/contacts`, `POST /api/contacts`, `PATCH /api/contacts/:id` (notes),
 * `DELETE /api/contacts/:id` and `GET /api/users/me`, and nothing more:
 * - node:http, no framework, no ORM, no validation beyond what the answer needs;
 * - the JWT verified on every request with a KeyObject built once (HS256, no cache of verified tokens);
 * - ONE Redis round trip per request, pipelined: MGET of the user and its session, plus, on the
 *   contacts routes, a fixed-window count per user (INCR, EXPIRE … NX) of the same limits as the API
 *   (`/api/contacts`: the general limit; POST: the creation limit too), answering 429 past them;
 *   `/api/users/me` is not limited in the API either, so it is the MGET alone;
 * - ONE named prepared SQL statement (parsed and planned once per connection), but for a creation
 *   with an email, which checks under the book's lock that no contact holds it, as the API does;
 * - the writes take the book's change counter and stamp the contact with it (the change feed), and
 *   a DELETE moves the contact to the trash, in the API's own statements.
 * It reads the tables and keys that bench/reference-store.ts creates (the API's migrations), and
 * accepts the API's access tokens.
 *
 * Run alone: PORT=0 DATABASE_URL=… REF_SCHEMA=… REDIS_URL=… REF_REDIS_PREFIX=… JWT_SECRET=… \
 *   [REF_CONTACTS_MAX=… REF_CONTACT_CREATE_MAX=… REF_WINDOW_S=…] node --import tsx bench/reference-server.ts
 *   (prints "listening <url>" when ready)
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { createClient } from 'redis';
import { BOOK_CHANGE, EMAIL_HOLDER, independentUpdateFor, LOCK_BOOK, NO_ID, TRASH, WITH_BOOK } from '../src/adapters/persistence/knex-contact-repository.js';
import { PreparedStatement } from '../src/adapters/persistence/prepared-statement.js';
import { type ContactFields, EMPTY_CONTACT_FIELDS } from '../src/domain/contact.js';
import { derivedColumns } from './reference-store.js';

export interface ReferenceOptions {
  port?: number;
  host?: string;
  databaseUrl: string;
  /** The schema holding the `contacts` table. */
  schema: string;
  redisUrl: string;
  /** Prefix of the `user:<id>` and `session:<id>` keys. */
  redisPrefix: string;
  jwtSecret: string;
  /** Per-user limits, as the API's RATE_LIMIT_CONTACTS_MAX, RATE_LIMIT_CONTACT_CREATE_MAX, RATE_LIMIT_CONTACTS_WINDOW_S. */
  limits?: { contactsMax: number; contactCreateMax: number; windowSeconds: number };
}

export interface ReferenceServer {
  url: string;
  close(): Promise<void>;
}

const ISSUER = 'contacts-api';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const instant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `c.id, c.first_name, c.last_name, c.middle_name, c.prefix, c.suffix, c.nickname, c.organization, c.department,
  c.job_title, c.emails, c.phones, c.addresses, c.urls, to_char(c.birthday, 'YYYY-MM-DD') AS birthday,
  to_char(c.anniversary, 'YYYY-MM-DD') AS anniversary, c.notes, c.labels, c.photo_url, c.version,
  ${instant('c.created_at')} AS created_at, ${instant('c.updated_at')} AS updated_at`;
const CONTACT_BY_ID = `SELECT ${COLUMNS} FROM contacts c WHERE c.id = $1 AND c.user_id = $2 AND c.deleted_at IS NULL`;
// The count and the page in one round trip; the lateral join still yields the total past the last page.
const CONTACT_PAGE = `SELECT t.total, ${COLUMNS}
  FROM (SELECT count(*)::int AS total FROM contacts WHERE user_id = $1 AND deleted_at IS NULL) t
  LEFT JOIN LATERAL (SELECT * FROM contacts WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT $2 OFFSET $3) c ON true
  ORDER BY c.created_at, c.id`;
// The writes do the API's work: the book's counter taken in the same statement (the change feed),
// the contact stamped with it, and the same email-holder lookup under the same lock. Those
// statements are the API's own (knex-contact-repository.ts); only the insert's column list is the
// reference's, with the API's counter in front of it.
const INSERT_CONTACT = new PreparedStatement(
  'reference.insert_contact',
  `${WITH_BOOK}INSERT INTO contacts AS c (id, user_id, first_name, last_name, middle_name, prefix, suffix, nickname,
    organization, department, job_title, emails, phones, addresses, urls, labels, birthday, anniversary, notes,
    search_text, email_keys, label_keys, name_keys, name_sort, created_at, updated_at, change_seq)
  VALUES (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), now(), ${BOOK_CHANGE})
  RETURNING ${COLUMNS}`,
);
const UPDATE_NOTES = independentUpdateFor(['notes'], false);
/** A statement as pg's pool runs it: named, so parsed and planned once per connection, as the API's. */
const query = (statement: PreparedStatement, values: unknown[]) => ({ name: statement.name!, text: statement.pgText, values });
const MAX_BODY = 64 * 1024;

interface Claims {
  sub: string;
  sid: string;
  ver: number;
}

interface Count {
  limit: number;
  count: number;
  resetS: number;
}

export async function startReferenceServer(options: ReferenceOptions): Promise<ReferenceServer> {
  const key: KeyObject = createSecretKey(Buffer.from(options.jwtSecret, 'utf8'));
  const pool = new pg.Pool({ connectionString: options.databaseUrl, options: `-c search_path=${options.schema}`, max: 10 });
  const redis = createClient({ url: options.redisUrl, name: 'bench-reference' });
  await redis.connect();
  const prefix = options.redisPrefix;
  const limits = options.limits ?? { contactsMax: 100, contactCreateMax: 10, windowSeconds: 60 };

  function verify(req: IncomingMessage): Claims | null {
    const match = /^Bearer ([A-Za-z0-9\-_.]+)$/.exec(req.headers.authorization ?? '');
    if (!match) return null;
    try {
      const payload = jwt.verify(match[1]!, key, { algorithms: ['HS256'], issuer: ISSUER });
      if (typeof payload !== 'object' || payload.typ !== 'access' || typeof payload.exp !== 'number') return null;
      return payload as unknown as Claims;
    } catch {
      return null;
    }
  }

  /**
   * The one round trip: the user and session, and the per-user counts of `counted` limits, pipelined.
   * Resolves the user's JSON when the session is live and the token version current, else null.
   */
  async function authenticate(claims: Claims, counted: Array<{ name: string; max: number }>): Promise<{ user: string; counts: Count[] } | null> {
    const window = Math.floor(Date.now() / 1000 / limits.windowSeconds);
    const resetS = (window + 1) * limits.windowSeconds;
    const pipeline = redis.multi().mGet([`${prefix}user:${claims.sub}`, `${prefix}session:${claims.sid}`]);
    for (const { name } of counted) {
      const counter = `${prefix}rl:${name}:${claims.sub}:${window}`;
      pipeline.incr(counter).expire(counter, limits.windowSeconds, 'NX');
    }
    const replies = (await pipeline.execAsPipeline()) as unknown[];
    const [user, session] = replies[0] as [string | null, string | null];
    if (!user || session !== '1' || (JSON.parse(user) as { tokenVersion: number }).tokenVersion !== claims.ver) return null;
    return { user, counts: counted.map(({ max }, i) => ({ limit: max, count: Number(replies[1 + 2 * i]), resetS })) };
  }

  /** Sets the X-RateLimit-* headers of the last count; answers 429 (and true) past any limit. */
  function limited(res: ServerResponse, counts: Count[]): boolean {
    for (const c of counts) {
      res.setHeader('X-RateLimit-Limit', String(c.limit));
      res.setHeader('X-RateLimit-Remaining', String(Math.max(0, c.limit - c.count)));
      res.setHeader('X-RateLimit-Reset', String(c.resetS));
      if (c.count > c.limit) {
        res.setHeader('Retry-After', String(Math.max(1, c.resetS - Math.floor(Date.now() / 1000))));
        problem(res, 429, 'RATE_LIMITED');
        return true;
      }
    }
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://reference');
    const path = url.pathname;
    const me = path === '/api/users/me';
    const list = path === '/api/contacts';
    const create = list && req.method === 'POST';
    const patch = req.method === 'PATCH' && path.startsWith('/api/contacts/');
    const remove = req.method === 'DELETE' && path.startsWith('/api/contacts/');
    if (!(me || list || path.startsWith('/api/contacts/')) || (req.method !== 'GET' && !create && !patch && !remove)) return problem(res, 404, 'NOT_FOUND');
    const claims = verify(req);
    if (!claims) return problem(res, 401, 'UNAUTHENTICATED');
    const counted = me
      ? []
      : create
        ? [
            { name: 'contacts', max: limits.contactsMax },
            { name: 'contact-create', max: limits.contactCreateMax },
          ]
        : [{ name: 'contacts', max: limits.contactsMax }];
    const body = create || patch ? readBody(req) : null;
    const auth = await authenticate(claims, counted);
    if (!auth) return problem(res, 401, 'UNAUTHENTICATED');
    if (limited(res, auth.counts)) return;

    if (me) {
      const { tokenVersion: _version, ...user } = JSON.parse(auth.user) as Record<string, unknown>;
      return json(res, 200, user);
    }
    if (create) {
      const fields = contactFields(await body!);
      if (!fields) return problem(res, 422, 'VALIDATION_FAILED');
      const derived = derivedColumns(fields);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(query(LOCK_BOOK, [claims.sub]));
        const holders = await client.query(query(EMAIL_HOLDER, [claims.sub, NO_ID, derived.email_keys]));
        if (holders.rows.length > 0) {
          await client.query('ROLLBACK');
          return problem(res, 409, 'CONTACT_EMAIL_TAKEN');
        }
        const { rows } = await client.query(
          query(INSERT_CONTACT, [
            claims.sub,
            claims.sub,
            fields.firstName,
            fields.lastName,
            fields.middleName,
            fields.prefix,
            fields.suffix,
            fields.nickname,
            fields.organization,
            fields.department,
            fields.jobTitle,
            JSON.stringify(fields.emails),
            JSON.stringify(fields.phones),
            JSON.stringify(fields.addresses),
            JSON.stringify(fields.urls),
            fields.labels,
            fields.birthday,
            fields.anniversary,
            fields.notes,
            derived.search_text,
            derived.email_keys,
            derived.label_keys,
            derived.name_keys,
            derived.name_sort,
          ]),
        );
        await client.query('COMMIT');
        res.setHeader('Location', `/api/contacts/${rows[0].id}`);
        return json(res, 201, view(rows[0]));
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    }
    if (list) {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) {
        return problem(res, 422, 'VALIDATION_FAILED');
      }
      const { rows } = await pool.query({ name: 'contact-page', text: CONTACT_PAGE, values: [claims.sub, limit, offset] });
      const total = (rows[0]?.total as number | undefined) ?? 0;
      const items = rows.filter((row) => row.id !== null).map(view);
      return json(res, 200, { items, total, limit, offset });
    }

    const id = path.slice('/api/contacts/'.length);
    if (!UUID.test(id)) return problem(res, 404, 'NOT_FOUND');
    if (patch) {
      const notes = (await body!)?.notes;
      if (typeof notes !== 'string' || notes.length > 2000) return problem(res, 422, 'VALIDATION_FAILED');
      const { rows } = await pool.query(query(UPDATE_NOTES, [claims.sub, notes, id]));
      if (rows.length === 0) return problem(res, 404, 'NOT_FOUND');
      return json(res, 200, view(rows[0]), rows[0].version);
    }
    if (remove) {
      const { rows } = await pool.query(query(TRASH, [claims.sub, id]));
      if (rows.length === 0) return problem(res, 404, 'NOT_FOUND');
      res.writeHead(204, { 'X-Content-Type-Options': 'nosniff' }).end();
      return;
    }
    const { rows } = await pool.query({ name: 'contact-by-id', text: CONTACT_BY_ID, values: [id, claims.sub] });
    if (rows.length === 0) return problem(res, 404, 'NOT_FOUND');
    return json(res, 200, view(rows[0]), rows[0].version);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => problem(res, 500, 'INTERNAL_ERROR'));
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await Promise.allSettled([pool.end(), redis.quit()]);
    },
  };
}

/** The JSON body, at most MAX_BODY bytes; null when it is not an object. */
async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A row as the API shows a contact: every field, `email`/`phone` the first entries, the ETag. */
function view(row: Record<string, unknown>): Record<string, unknown> {
  const emails = row.emails as { value: string }[];
  const phones = row.phones as { value: string }[];
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    middleName: row.middle_name,
    prefix: row.prefix,
    suffix: row.suffix,
    nickname: row.nickname,
    organization: row.organization,
    department: row.department,
    jobTitle: row.job_title,
    email: emails[0]?.value ?? null,
    phone: phones[0]?.value ?? null,
    emails,
    phones,
    addresses: row.addresses,
    urls: row.urls,
    birthday: row.birthday,
    anniversary: row.anniversary,
    notes: row.notes,
    labels: row.labels,
    photoUrl: row.photo_url,
    etag: `"${row.version}"`,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The fields of a creation, checked as far as the database needs (types, lengths, a date); null when invalid. */
function contactFields(body: Record<string, unknown> | null): ContactFields | null {
  if (!body) return null;
  const text = (value: unknown, max: number) => typeof value === 'string' && value.length > 0 && value.length <= max;
  const optional = (value: unknown, max: number) => (value === undefined || value === null || value === '' ? '' : text(value, max) ? (value as string) : null);
  const { firstName, email, phone, birthday, notes } = body;
  if (!text(firstName, 50) || !text(email, 254) || !(email as string).includes('@') || !text(phone, 40)) return null;
  if (birthday !== undefined && birthday !== null && (typeof birthday !== 'string' || !DATE.test(birthday))) return null;
  if (notes !== undefined && notes !== null && !text(notes, 2000)) return null;
  const names = ['lastName', 'middleName', 'prefix', 'suffix', 'nickname', 'organization', 'department', 'jobTitle'] as const;
  const fields: ContactFields = {
    ...EMPTY_CONTACT_FIELDS,
    firstName: firstName as string,
    emails: [{ value: email as string, label: 'other' }],
    phones: [{ value: phone as string, label: 'other' }],
    birthday: (birthday as string | undefined) ?? null,
    notes: (notes as string | undefined) ?? null,
  };
  for (const name of names) {
    const value = optional(body[name], 100);
    if (value === null) return null;
    fields[name] = value;
  }
  return fields;
}

function json(res: ServerResponse, status: number, body: unknown, version?: number): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };
  if (version !== undefined) headers.ETag = `"${version}"`;
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, code: string): void {
  if (res.headersSent) return void res.destroy();
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', 'X-Content-Type-Options': 'nosniff' };
  if (status === 401) headers['WWW-Authenticate'] = 'Bearer';
  res.writeHead(status, headers).end(JSON.stringify({ type: 'about:blank', status, code }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  const server = await startReferenceServer({
    port: Number(env.PORT ?? 0),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    schema: env.REF_SCHEMA ?? 'public',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: env.REF_REDIS_PREFIX ?? 'bench:ref:',
    jwtSecret: env.JWT_SECRET ?? '',
    limits: {
      contactsMax: Number(env.REF_CONTACTS_MAX ?? 100),
      contactCreateMax: Number(env.REF_CONTACT_CREATE_MAX ?? 10),
      windowSeconds: Number(env.REF_WINDOW_S ?? 60),
    },
  });
  console.log(`listening ${server.url}`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
