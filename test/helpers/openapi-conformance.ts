import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formatsModule from 'ajv-formats';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type * as OA from 'openapi3-ts/oas31';
import { openApiDocument } from '../../src/adapters/http/openapi.js';

/**
 * Checks what the server answers against its own /openapi.json: for the operation the request
 * reached, the status must be documented, the content type must be one the document lists for it,
 * and a JSON body must validate against the documented schema. The test servers record every
 * exchange (see `recordConformance`), so every HTTP test feeds it.
 */

/** Routed on purpose without being part of the API: static files of the documentation page and the account pages; CardDAV (its own protocol, API.md "CardDAV"). */
export const UNDOCUMENTED_ROUTES = [/^\/docs\/.+/, /^\/account\/style\.css$/, /^\/__bench\//, /^\/dav(\/|$)/, /^\/\.well-known\/carddav\/?$/];

/** Answered by the router for a method the path does not have (or no route knows). */
const METHOD_REFUSALS = [405];

export interface Exchange {
  method: string;
  /** Path and query string as the request line had them. */
  url: string;
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

type Operation = OA.OperationObject & { method: string; path: string };

interface Route {
  path: string;
  pattern: RegExp;
  /** Literal segments, so `/api/contacts/birthdays` wins over `/api/contacts/{id}`. */
  literals: number;
  operations: Map<string, Operation>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

// ajv-formats is CommonJS with a default export; under NodeNext its function sits on `default`.
const createFormats = (formatsModule as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;

export class OpenApiConformance {
  private readonly routes: Route[];
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OA.OpenAPIObject = openApiDocument) {
    this.routes = Object.entries(document.paths ?? {})
      .map(([path, item]) => {
        const operations = new Map<string, Operation>();
        for (const method of METHODS) {
          const operation = item[method];
          if (operation) operations.set(method.toUpperCase(), { ...operation, method: method.toUpperCase(), path });
        }
        const source = path
          .split('/')
          .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : escapeRegExp(segment)))
          .join('/');
        const literals = path.split('/').filter((segment) => segment && !segment.startsWith('{')).length;
        return { path, pattern: new RegExp(`^${source}/?$`), literals, operations };
      })
      .sort((a, b) => b.literals - a.literals);
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    createFormats(this.ajv);
    // The document's own format for passwords says nothing checkable.
    this.ajv.addFormat('password', true);
    this.ajv.addSchema(JSON.parse(JSON.stringify(document)) as object, 'openapi.json');
  }

  /** What is wrong with this exchange according to the document, or null when it conforms. */
  check(exchange: Exchange): string | null {
    const path = exchange.url.split('?')[0]!;
    const method = exchange.method.toUpperCase();
    const where = `${method} ${path} → ${exchange.status}`;
    if (UNDOCUMENTED_ROUTES.some((pattern) => pattern.test(path))) return null;
    // `/api/contacts/import` is also `/api/contacts/{id}` for a GET: the first matching path with the method wins.
    const matching = this.routes.filter((candidate) => candidate.pattern.test(path));
    const hasMethod = (r: Route) => r.operations.has(method) || (method === 'HEAD' && r.operations.has('GET'));
    const route = matching.find(hasMethod) ?? matching[0];
    const type = mediaType(exchange.contentType);

    if (!route || !hasMethod(route)) {
      return this.checkUnrouted(where, path, method, exchange, route, type);
    }
    const operation = route.operations.get(method) ?? route.operations.get('GET')!;
    const name = `${operation.method} ${operation.path} (${operation.operationId})`;
    const documented = this.responseFor(operation, exchange.status);
    if (!documented) {
      return `${where}: the document does not list status ${exchange.status} for ${name}; add it to the responses or problems of its route declaration (documented: ${Object.keys(operation.responses ?? {}).join(', ')}).`;
    }
    const [key, response] = documented;
    const content = response.content ?? {};
    // The document may name parameters (`text/vcard; charset=utf-8`); the media type is what must match.
    const types = Object.keys(content).map((key) => mediaType(key)!);
    const empty = exchange.body.length === 0 || method === 'HEAD';
    if (types.length === 0) {
      return empty
        ? null
        : `${where}: ${name} documents response ${key} without a body, but the server sent ${type ?? 'no content type'} (${exchange.body.length} bytes); add its content to the document.`;
    }
    if (empty && (exchange.status === 304 || method === 'HEAD')) return null;
    if (!type || !types.includes(type)) {
      return `${where}: ${name} documents response ${key} as ${types.join(' or ')}, but the server sent ${type ?? 'no content type'}; add that media type (with its schema) to the document, or fix the server.`;
    }
    const documentedKey = Object.keys(content).find((k) => mediaType(k) === type)!;
    return this.checkBody(
      where,
      `${name} response ${key} ${type}`,
      content[documentedKey]?.schema,
      type,
      exchange.body,
      `#/paths/${pointer(operation.path)}/${operation.method.toLowerCase()}`,
    );
  }

  /** A path no operation matches, or a method the path does not have: a refusal in the usual shape. */
  private checkUnrouted(where: string, path: string, method: string, exchange: Exchange, route: Route | undefined, type: string | undefined): string | null {
    if (method === 'OPTIONS' && exchange.status < 300) return null; // CORS preflight and the router's Allow answer
    const expected = route ? METHOD_REFUSALS : [404, ...METHOD_REFUSALS];
    if (!expected.includes(exchange.status)) {
      const what = route ? `documents no ${method} for ${route.path}` : 'documents no path that matches';
      return `${where}: the document ${what}, yet the server answered ${exchange.status}; declare the route (route.ts) rather than adding it to a router by hand, or answer ${expected.join('/')}.`;
    }
    // A page route's refusals are pages; an unknown address under /account is the API's 404.
    if (path.startsWith('/account/') && type === 'text/html') return null;
    if (type !== 'application/problem+json') return `${where}: a refusal must be application/problem+json, got ${type ?? 'no content type'}.`;
    if (method === 'HEAD') return null;
    return this.checkBody(where, 'the refusal', { $ref: '#/components/schemas/Problem' }, type, exchange.body, '#');
  }

  private checkBody(
    where: string,
    what: string,
    schema: OA.SchemaObject | OA.ReferenceObject | undefined,
    type: string,
    body: Buffer,
    base: string,
  ): string | null {
    if (!schema || !/json$/.test(type)) return null;
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return `${where}: ${what} is not valid JSON: ${body.toString('utf8').slice(0, 200)}`;
    }
    const validate = this.validatorFor(schema, base);
    if (validate(value)) return null;
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return `${where}: the body does not match the schema of ${what} (${'$ref' in schema ? schema.$ref : 'inline schema'}): ${errors.join('; ')}. Body: ${body.toString('utf8').slice(0, 300)}`;
  }

  private validatorFor(schema: OA.SchemaObject | OA.ReferenceObject, base: string): ValidateFunction {
    const key = `${base}|${JSON.stringify(schema)}`;
    let validate = this.validators.get(key);
    if (!validate) {
      // Local references point into the whole document, registered as `openapi.json`.
      const rebased = JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi.json#/')) as object;
      validate = this.ajv.compile(rebased);
      this.validators.set(key, validate);
    }
    return validate;
  }

  /** The documented response for a status: exact, then its class (`4XX`), then `default`; references resolved. */
  private responseFor(operation: Operation, status: number): [string, OA.ResponseObject] | null {
    const responses = operation.responses ?? {};
    for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
      const found = responses[key] as OA.ResponseObject | OA.ReferenceObject | undefined;
      if (found) return [key, this.resolve(found)];
    }
    return null;
  }

  private resolve(response: OA.ResponseObject | OA.ReferenceObject): OA.ResponseObject {
    if (!('$ref' in response)) return response;
    const name = response.$ref.replace('#/components/responses/', '');
    const resolved = this.document.components?.responses?.[name];
    if (!resolved) throw new Error(`openapi.ts references ${response.$ref}, which it does not define`);
    return this.resolve(resolved);
  }
}

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pointer(path: string): string {
  return path.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Wraps a request listener so that every response it writes is checked against the document when
 * it ends; each violation goes to `onViolation` (synchronously, before the client sees the end).
 */
export function recordConformance(
  listener: RequestListener,
  onViolation: (message: string, requestId: string | undefined) => void,
  conformance = sharedConformance(),
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    // A response may be written with writeHead(status, headers) and no setHeader: its headers are then
    // not in the response's header map, so they are read from what writeHead was given.
    const given = new Map<string, string>();
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    (res as { writeHead: unknown }).writeHead = (...args: unknown[]) => {
      const headers = args.find((arg) => typeof arg === 'object' && arg !== null);
      if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) given.set(String(headers[i]).toLowerCase(), String(headers[i + 1]));
      else if (headers) for (const [name, value] of Object.entries(headers)) given.set(name.toLowerCase(), String(value));
      return writeHead(...args);
    };
    const header = (name: string) => (res.getHeader(name) as string | undefined) ?? given.get(name);
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    (res as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    };
    (res as { end: unknown }).end = (...args: unknown[]) => {
      if (args.length > 0 && typeof args[0] !== 'function') keep(args[0], args[1]);
      let violation: string | null;
      try {
        violation = conformance.check({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          status: res.statusCode,
          contentType: header('content-type'),
          body: Buffer.concat(chunks),
        });
      } catch (error) {
        violation = `${req.method} ${req.url} → ${res.statusCode}: the conformance check itself failed: ${(error as Error).stack}`;
      }
      if (violation) onViolation(violation, header('x-request-id'));
      return end(...args);
    };
    listener(req, res);
  };
}

let shared: OpenApiConformance | undefined;
/** One checker per process: compiling the schemas is the slow part. */
export function sharedConformance(): OpenApiConformance {
  shared ??= new OpenApiConformance();
  return shared;
}

/**
 * The violations of one test server. A request made through a test helper fails at once with its
 * own violation (found by the response's X-Request-Id); any other (a raw socket, a streamed body)
 * fails the server's close, so nothing a test receives escapes the check.
 */
export class ConformanceLog {
  private readonly pending = new Map<string, string>();
  private anonymous = 0;

  wrap(listener: RequestListener): RequestListener {
    return recordConformance(listener, (message, requestId) => {
      this.pending.set(requestId ?? `#${++this.anonymous}`, message);
    });
  }

  /** Throws the violation of this response, if the server recorded one. */
  assertConforms(response: Response): void {
    const id = response.headers.get('x-request-id');
    const violation = id === null ? undefined : this.pending.get(id);
    if (violation === undefined) return;
    this.pending.delete(id!);
    throw new OpenApiViolation([violation]);
  }

  /** Throws every violation no request has reported yet. */
  assertNoneLeft(): void {
    const left = [...this.pending.values()];
    this.pending.clear();
    if (left.length > 0) throw new OpenApiViolation(left);
  }
}

export class OpenApiViolation extends Error {
  constructor(readonly violations: string[]) {
    super(`The response does not match /openapi.json (assembled by src/adapters/http/openapi.ts from the route declarations):\n${violations.join('\n')}`);
    this.name = 'OpenApiViolation';
  }
}
