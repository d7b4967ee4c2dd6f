/**
 * The benchmark's yardstick: the smallest hand-written Node program that does the work of
 * authenticated `GET /api/contacts/:id` and `GET /api/contacts` — verify the JWT (HS256, a
 * KeyObject built once), fetch the user and its session from Redis in one MGET, run one SQL
 * query. No framework, no ORM, no validation beyond what the answer needs. It reads the tables
 * and keys that bench/reference-store.ts creates, and accepts the access tokens the API issues.
 *
 * Run alone: PORT=0 DATABASE_URL=… REF_SCHEMA=… REDIS_URL=… REF_REDIS_PREFIX=… JWT_SECRET=… \
 *   node --import tsx bench/reference-server.ts   (prints "listening <url>" when ready)
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { createClient } from 'redis';

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
}

export interface ReferenceServer {
  url: string;
  close(): Promise<void>;
}

const ISSUER = 'contacts-api';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = `c.id, c.first_name AS "firstName", c.last_name AS "lastName", c.email, c.phone,
  to_char(c.birthday, 'YYYY-MM-DD') AS birthday, c.notes, c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;
const CONTACT_BY_ID = `SELECT ${COLUMNS} FROM contacts c WHERE c.id = $1 AND c.user_id = $2`;
// The count and the page in one round trip; the lateral join still yields the total past the last page.
const CONTACT_PAGE = `SELECT t.total, ${COLUMNS}
  FROM (SELECT count(*)::int AS total FROM contacts WHERE user_id = $1) t
  LEFT JOIN LATERAL (SELECT * FROM contacts WHERE user_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3) c ON true
  ORDER BY c.created_at, c.id`;

export async function startReferenceServer(options: ReferenceOptions): Promise<ReferenceServer> {
  const key: KeyObject = createSecretKey(Buffer.from(options.jwtSecret, 'utf8'));
  const pool = new pg.Pool({ connectionString: options.databaseUrl, options: `-c search_path=${options.schema}`, max: 10 });
  const redis = createClient({ url: options.redisUrl });
  await redis.connect();
  const prefix = options.redisPrefix;

  async function authenticate(req: IncomingMessage): Promise<string | null> {
    const match = /^Bearer ([A-Za-z0-9\-_.]+)$/.exec(req.headers.authorization ?? '');
    if (!match) return null;
    let claims: jwt.JwtPayload;
    try {
      const payload = jwt.verify(match[1]!, key, { algorithms: ['HS256'], issuer: ISSUER });
      if (typeof payload !== 'object' || payload.typ !== 'access' || typeof payload.exp !== 'number') return null;
      claims = payload;
    } catch {
      return null;
    }
    const [user, session] = await redis.mGet([`${prefix}user:${claims.sub}`, `${prefix}session:${claims.sid}`]);
    if (!user || session !== '1' || (JSON.parse(user) as { tokenVersion: number }).tokenVersion !== claims.ver) return null;
    return claims.sub!;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://reference');
    const path = url.pathname;
    if (req.method !== 'GET' || (path !== '/api/contacts' && !path.startsWith('/api/contacts/'))) return problem(res, 404, 'NOT_FOUND');
    const userId = await authenticate(req);
    if (!userId) return problem(res, 401, 'UNAUTHENTICATED');

    if (path === '/api/contacts') {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) {
        return problem(res, 422, 'VALIDATION_FAILED');
      }
      const { rows } = await pool.query(CONTACT_PAGE, [userId, limit, offset]);
      const total = (rows[0]?.total as number | undefined) ?? 0;
      const items = rows.filter((row) => row.id !== null).map(({ total: _total, ...contact }) => contact);
      return json(res, 200, { items, total, limit, offset });
    }

    const id = path.slice('/api/contacts/'.length);
    if (!UUID.test(id)) return problem(res, 404, 'NOT_FOUND');
    const { rows } = await pool.query(CONTACT_BY_ID, [id, userId]);
    if (rows.length === 0) return problem(res, 404, 'NOT_FOUND');
    return json(res, 200, rows[0]);
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

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
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
  });
  console.log(`listening ${server.url}`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
