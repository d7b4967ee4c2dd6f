import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import type { Logger } from '../../application/ports/logger.js';
import type { UserLimit } from '../../application/ports/user-rate-limiter.js';
import type { Caller } from '../../application/use-cases/authenticate.js';
import { toPublicUser } from '../../domain/user.js';
import { etagOf } from './etag.js';
import { CORS_VARY } from './middleware/cors.js';
import { type ErrorTranslator, problemOfFailure } from './middleware/error-handler.js';
import { type LimitName, NO_RATE_LIMITS, type RateLimiters, rateLimitHeaders, refusalOf } from './middleware/rate-limit.js';
import { logAccess, requestIdFrom } from './middleware/request-log.js';
import { BEARER } from './middleware/require-auth.js';
import { securityHeadersFor } from './middleware/security-headers.js';
import { PROBLEM_CONTENT_TYPE, problemResponse } from './problem.js';
import { contactQueryParams } from './query-params.js';
import type { RouteSpec } from './route.js';
import { contactRouteSpecs } from './routes/contacts.routes.js';
import { userRouteSpecs } from './routes/users.routes.js';
import type { UseCases } from '../../application/use-cases.js';

export interface HotReadsDeps {
  useCases: Pick<UseCases, 'authenticate' | 'getContact' | 'listContacts'>;
  /** The app's limiters: a read whose declared limits are someone else's middleware (a test's) stays with Koa, which runs it. */
  limits: RateLimiters;
  logger: Logger;
  translateError?: ErrorTranslator;
}

/** The 200 answer of a hot read; throws what the use-case throws. */
type Answer = (caller: Caller, request: { param: string; query: ParsedUrlQuery }) => Promise<{ body: unknown; etag?: string }>;

/** A hot read compiled from its route's declaration: where it is, what it spends, how it answers. */
interface HotRead {
  /** The path up to its parameter (`/api/contacts/`), or the whole path when it has none. */
  prefix: string;
  hasParam: boolean;
  takesQuery: boolean;
  limits: UserLimit[];
  /** The headers every answer on this path carries (security-headers.ts, cors.ts), flat for writeHead. */
  pathHeaders: string[];
  answer: Answer;
}

/** The ids the contacts store can hold; any other segment (and `/export`, `/birthdays`) is Koa's. */
const CONTACT_ID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** Query strings both URLSearchParams (Koa) and this file read alike: no escapes, no '+', nothing to decode. */
const PLAIN_QUERY = /^[A-Za-z0-9_.~=&-]*$/;
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The three reads every client repeats, `GET /api/users/me`, `GET /api/contacts` and
 * `GET /api/contacts/:id`, answered in front of the Koa app: Koa's context, the router and the
 * middleware chain cost as much CPU per request as everything else a cached read does
 * (docs/decisions/hot-reads-in-front-of-koa.md).
 *
 * The lane is compiled from the routes' declarations (path, limits) and runs the pipeline's own
 * steps: the request id and access-log line (request-log.ts), the headers by path
 * (security-headers.ts, cors.ts), admission and the limits' decisions (rate-limit.ts), and the one
 * error mapping (problemOfFailure, problem.ts). It decides whether a request is its own before
 * anything runs, from the request line and headers alone: a GET without `Origin` (CORS is Koa's)
 * or `If-None-Match` (304 is the route's), with a bearer token, a contact id, and a query string
 * with nothing to decode. From then on it answers every outcome itself, refusals and failures
 * included; nothing is handed to Koa half-way.
 */
export function withHotReads(koa: RequestListener, deps: HotReadsDeps): RequestListener {
  const { useCases, logger, translateError = () => null } = deps;

  const compile = (spec: RouteSpec, answer: Answer): HotRead | null => {
    const limits = limitsOf(spec, deps.limits);
    if (spec.method !== 'get' || spec.auth !== 'bearer' || !limits) return null;
    const param = spec.path.indexOf('{');
    if (param >= 0 && !spec.path.endsWith('}')) throw new Error(`${spec.operationId}: a hot read takes one parameter, last`);
    const prefix = param >= 0 ? spec.path.slice(0, param) : spec.path;
    // Every path a read answers starts with its prefix, a whole segment: the headers by path are the prefix's.
    const pathHeaders = [...securityHeadersFor(prefix).flat(), ...CORS_VARY];
    return { prefix, hasParam: param >= 0, takesQuery: spec.query !== undefined, limits, pathHeaders, answer };
  };
  const reads = [
    compile(userRouteSpecs.getMe, async (caller) => ({ body: toPublicUser(caller.user) })),
    compile(contactRouteSpecs.get, async (caller, { param, query }) => {
      const { contact, version } = await useCases.getContact(caller.user.id, param, query.fields);
      return { body: contact, etag: etagOf(version) };
    }),
    compile(contactRouteSpecs.list, async (caller, { query }) => ({ body: await useCases.listContacts(caller.user.id, contactQueryParams(query)) })),
  ].filter((read): read is HotRead => read !== null);

  function recognise(req: IncomingMessage): { read: HotRead; path: string; param: string; query: string } | null {
    if (req.method !== 'GET' || req.headers.origin !== undefined || req.headers['if-none-match'] !== undefined) return null;
    const url = req.url ?? '';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? '' : url.slice(mark + 1);
    for (const read of reads) {
      if (mark >= 0 && !(read.takesQuery && PLAIN_QUERY.test(query))) continue;
      if (!read.hasParam) {
        if (path === read.prefix) return { read, path, param: '', query };
      } else if (path.startsWith(read.prefix) && CONTACT_ID.test(path.slice(read.prefix.length))) {
        return { read, path, param: path.slice(read.prefix.length), query };
      }
    }
    return null;
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    read: HotRead,
    path: string,
    request: { param: string; query: ParsedUrlQuery },
    token: string,
  ) {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    // One flat list for writeHead: Node writes the header block from it without building the
    // response's header map. A drain's `Connection: close`, set before, is kept: Node merges the two.
    const headers: string[] = ['X-Request-Id', requestId, ...read.pathHeaders];
    let status = 200;
    let body: string;
    let type = JSON_TYPE;
    try {
      const caller = await useCases.authenticate(token, read.limits);
      for (const limit of read.limits) {
        // Admission counted the request while authenticating it; no decision: not counted (fail open).
        const decision = caller.decisions?.get(limit.name);
        if (!decision) continue;
        for (const [name, value] of Object.entries(rateLimitHeaders(decision))) headers.push(name, value);
        const refusal = refusalOf(decision);
        if (refusal) throw refusal;
      }
      const answer = await read.answer(caller, request);
      if (answer.etag) headers.push('ETag', answer.etag);
      body = JSON.stringify(answer.body);
    } catch (error) {
      const problem = problemOfFailure(error, logger, translateError, { requestId, method: 'GET', path });
      const answer = problemResponse(problem);
      // The problem's headers replace the path's (a 429's Cache-Control), as setting them on Koa's response does.
      for (const [name, value] of Object.entries(answer.headers)) {
        const known = headers.findIndex((header, i) => i % 2 === 0 && header.toLowerCase() === name.toLowerCase());
        if (known >= 0) headers[known + 1] = value;
        else headers.push(name, value);
      }
      status = problem.status;
      type = PROBLEM_CONTENT_TYPE;
      body = JSON.stringify(answer.body);
    }
    headers.push('Content-Type', type, 'Content-Length', String(Buffer.byteLength(body)));
    res.writeHead(status, headers).end(body);
    logAccess(logger, { requestId, method: 'GET', path, status, started });
  }

  return function hotReadsOrKoa(req, res) {
    const hot = recognise(req);
    const token = hot && BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!hot || !token) return koa(req, res);
    serve(req, res, hot.read, hot.path, { param: hot.param, query: parseQuery(hot.query) }, token).catch((error: unknown) => {
      // Only writing the response can get here; there is nothing left to answer with.
      logger.error({ err: error, method: 'GET', path: hot.path }, 'unhandled error');
      res.destroy();
    });
  };
}

/**
 * The per-user limits a route's declaration names, as admission counts them; null when one of them
 * is a middleware only Koa can run (neither the product's per-user limit nor NO_RATE_LIMITS').
 */
function limitsOf(spec: RouteSpec, limiters: RateLimiters): UserLimit[] | null {
  const limits: UserLimit[] = [];
  for (const name of spec.limits ?? ([] as LimitName[])) {
    const limit = name === 'auth' ? undefined : limiters.userLimits?.[name];
    if (limit) limits.push(limit);
    else if (limiters[name] !== NO_RATE_LIMITS[name]) return null;
  }
  return limits;
}

/** A plain query string (PLAIN_QUERY) as Koa's `ctx.query` reads it: a repeated key gives an array. */
function parseQuery(text: string): ParsedUrlQuery {
  const query: ParsedUrlQuery = Object.create(null);
  if (text === '') return query;
  for (const [key, value] of new URLSearchParams(text)) {
    const known = query[key];
    query[key] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return query;
}
