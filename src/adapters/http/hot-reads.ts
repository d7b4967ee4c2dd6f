import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import type { Logger } from '../../application/ports/logger.js';
import type { LimitDecision, UserLimit } from '../../application/ports/user-rate-limiter.js';
import type { Caller } from '../../application/use-cases/authenticate.js';
import { toPublicUser } from '../../domain/user.js';
import { etagOf } from './etag.js';
import { rateLimitHeaders } from './middleware/rate-limit.js';
import { logAccess, requestIdFrom } from './middleware/request-log.js';
import { BEARER, handOverAuthentication } from './middleware/require-auth.js';
import { securityHeadersFor } from './middleware/security-headers.js';
import { contactQueryParams } from './query-params.js';
import type { UseCases } from '../../application/use-cases.js';

export interface HotReadsDeps {
  useCases: Pick<UseCases, 'authenticate' | 'getContact' | 'listContacts'>;
  /**
   * The per-user limit of the contacts reads (RateLimiters.userLimits), 'none' when they are not
   * limited; null when their limit is a middleware only Koa can run: the contacts reads are then Koa's.
   */
  contactsLimit: UserLimit | 'none' | null;
  logger: Logger;
}

/** A hot read, once recognised: what it reads, and the limit it counts against. */
interface HotRead {
  path: string;
  limit: UserLimit | null;
  /** The 200 answer; throws what the use-case throws. */
  answer(caller: Caller): Promise<HotAnswer>;
}

interface HotAnswer {
  body: unknown;
  etag?: string;
}

const CONTACT_ID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
/** Query strings both URLSearchParams (Koa) and this file read alike: no escapes, no '+', nothing to decode. */
const PLAIN_QUERY = /^[A-Za-z0-9_.~=&-]*$/;
const ME_PATH = '/api/users/me';
const CONTACTS_PATH = '/api/contacts';

/**
 * The three reads every client repeats, `GET /api/users/me`, `GET /api/contacts` and
 * `GET /api/contacts/:id`, answered in front of the Koa app when they succeed: the same
 * use-cases, the same headers, the same access-log line, without Koa's context, the router and
 * the middleware chain, which cost as much CPU per request as everything else a cached read does
 * (docs/decisions/hot-reads-in-front-of-koa.md).
 *
 * Only the plain case is answered here. Anything else is handed to the Koa app untouched: another
 * method or path, HEAD, a cross-origin request (CORS), a conditional one (If-None-Match), an
 * unusual query string, and every request that does not end in 200: refused authentication, a
 * spent limit, an unknown contact, invalid parameters, a backing service down. Once the request
 * is authenticated, and so counted, the outcome goes along (handOverAuthentication), so Koa does
 * not count it again; it repeats only the read, which changes nothing.
 */
export function withHotReads(koa: RequestListener, deps: HotReadsDeps): RequestListener {
  const { useCases, logger, contactsLimit } = deps;
  const contactsRead = contactsLimit === 'none' ? { limit: null } : contactsLimit ? { limit: contactsLimit } : null;

  function recognise(req: IncomingMessage): HotRead | null {
    const url = req.url ?? '';
    if (req.method !== 'GET' || req.headers.origin !== undefined) return null;
    if (url === ME_PATH) {
      return { path: ME_PATH, limit: null, answer: async (caller) => ({ body: toPublicUser(caller.user) }) };
    }
    if (!contactsRead || !url.startsWith(CONTACTS_PATH)) return null;
    const rest = url.slice(CONTACTS_PATH.length);
    if (rest.startsWith('/') && CONTACT_ID.test(rest.slice(1)) && req.headers['if-none-match'] === undefined) {
      const id = rest.slice(1);
      return {
        path: url,
        ...contactsRead,
        answer: async (caller) => {
          const { contact, version } = await useCases.getContact(caller.user.id, id);
          return { body: contact, etag: etagOf(version) };
        },
      };
    }
    if (rest === '' || (rest.startsWith('?') && PLAIN_QUERY.test(rest.slice(1)))) {
      const query = contactQueryParams(parseQuery(rest.slice(1)));
      return { path: CONTACTS_PATH, ...contactsRead, answer: async (caller) => ({ body: await useCases.listContacts(caller.user.id, query) }) };
    }
    return null;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, read: HotRead, token: string, started: bigint): Promise<void> {
    let caller: Caller;
    try {
      caller = await useCases.authenticate(token, read.limit ? [read.limit] : []);
    } catch (error) {
      handOverAuthentication(req, { error });
      return koa(req, res);
    }
    // Admission counted the request while authenticating it; null: not counted (fail open).
    const decision: LimitDecision | null = read.limit ? (caller.decisions?.get(read.limit.name) ?? null) : null;
    let answer: HotAnswer | null = null;
    try {
      if (!decision || decision.allowed) answer = await read.answer(caller);
    } catch {
      // Koa answers: it reads again and maps the error.
    }
    if (!answer) {
      // With its decisions, so that the limit's middleware enforces them and counts nothing again.
      handOverAuthentication(req, { caller });
      return koa(req, res);
    }
    // Everything is worked out before the response is touched, so that nothing below can fail half-way.
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    const body = JSON.stringify(answer.body);
    // One flat list for writeHead: Node writes the header block from it without building the
    // response's header map (setHeader validates and stores each header, then the block is written
    // from the map). A drain's `Connection: close`, set before, is kept: Node merges the two.
    const headers: string[] = [];
    for (const [name, value] of securityHeadersFor(read.path)) headers.push(name, value);
    if (decision) for (const [name, value] of Object.entries(rateLimitHeaders(decision))) headers.push(name, value);
    if (answer.etag) headers.push('ETag', answer.etag);
    headers.push('X-Request-Id', requestId);
    headers.push('Vary', 'Origin'); // as the CORS middleware says of every response
    headers.push('Content-Type', 'application/json; charset=utf-8');
    headers.push('Content-Length', String(Buffer.byteLength(body)));
    res.writeHead(200, headers).end(body);
    logAccess(logger, { requestId, method: 'GET', path: read.path, status: 200, started });
  }

  return function hotReadsOrKoa(req, res) {
    const read = recognise(req);
    const token = read && BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!read || !token) return koa(req, res);
    serve(req, res, read, token, process.hrtime.bigint()).catch((error: unknown) => {
      logger.error({ err: error, method: 'GET', path: read.path }, 'unhandled error');
      if (!res.headersSent) koa(req, res);
    });
  };
}

/** A plain query string (PLAIN_QUERY) as Koa's `ctx.query` reads it: a repeated key gives an array. */
function parseQuery(text: string): ParsedUrlQuery {
  const query: ParsedUrlQuery = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const known = query[key];
    query[key] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return query;
}
