import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { Static, TObject, TProperties, TSchema } from '@sinclair/typebox';
import type { Middleware } from 'koa';
import type * as OA from 'openapi3-ts/oas31';
import type { DomainErrorStatus } from './error-statuses.js';
import { parseBody, requestBody } from './middleware/body-parser.js';
import { type LimitName, type RateLimiters, userLimitsOf } from './middleware/rate-limit.js';
import { requireAuth } from './middleware/require-auth.js';
import type { UseCases } from '../../application/use-cases.js';

/**
 * One declaration per route: method, path, parameters, body and responses per status, who may
 * call it and which limits it spends. The router (registerRoutes) and the OpenAPI document
 * (openapi.ts) are both derived from these; see docs/decisions/route-declarations.md.
 */

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
export type Tag = 'Auth' | 'Users' | 'Your account' | 'Contacts' | 'Pages' | 'Operations';

/** The problem+json answers the error table and the HTTP exchange can give (their shared responses live in openapi.ts). */
export type ProblemStatus = DomainErrorStatus | 408 | 413 | 415 | 431;

export interface ResponseSpec {
  description: string;
  /** An application/json body. */
  schema?: TSchema;
  /** Any other body (HTML, vCard, images), as the document writes it. */
  content?: OA.ContentObject;
  headers?: Record<string, OA.HeaderObject>;
}

/** The request body a route reads itself (a parsed JSON object, and an HTML form where `form` is given). */
export interface BodySpec<J extends TSchema | undefined = TSchema | undefined, F extends TSchema | undefined = TSchema | undefined> {
  json?: J;
  form?: F;
}

export interface RouteSpec<P extends TProperties = TProperties, Q extends TProperties = TProperties, B extends BodySpec = BodySpec> {
  method: Method;
  /** OpenAPI's spelling, `/api/contacts/{id}`; registered as Koa's `/api/contacts/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tags: readonly Tag[];
  auth: 'bearer' | 'none';
  /** The limits the request spends, in the order they count. */
  limits?: readonly LimitName[];
  params?: TObject<P>;
  query?: TObject<Q>;
  headers?: readonly OA.ParameterObject[];
  body?: B;
  /** A body the handler reads itself (multipart, vCard): documented only. */
  upload?: OA.ContentObject;
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Statuses answered as the shared problem+json responses (431 is added to every operation). */
  problems?: readonly ProblemStatus[];
}

type Fields<T> = T extends TSchema ? keyof Static<T> : never;

/**
 * What a handler receives. Path parameters are always strings; query values and body fields are as
 * the client sent them: the domain validators check them and name the field in their 422.
 */
export interface RouteInput<S extends RouteSpec> {
  params: NonNullable<S['params']> extends TObject ? Static<NonNullable<S['params']>> : Record<string, never>;
  query: NonNullable<S['query']> extends TObject ? { [K in keyof Static<NonNullable<S['query']>>]?: string | string[] } : Record<string, never>;
  body: NonNullable<S['body']> extends BodySpec<infer J, infer F> ? { [K in Fields<J> | Fields<F>]?: unknown } : Record<string, never>;
}

export type Handler<S extends RouteSpec, State> = (ctx: RouterContext<State>, input: RouteInput<S>) => unknown;

/** Declares a route, keeping its schemas' types for the handler. */
export function route<P extends TProperties, Q extends TProperties, B extends BodySpec>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

/** A declaration with the code that answers it. */
export interface BoundRoute<State> {
  spec: RouteSpec;
  handle: Handler<RouteSpec, State>;
}

/** Pairs every declaration of a family with its handler; the compiler requires one for each. */
export function implement<State, Specs extends Record<string, RouteSpec>>(
  specs: Specs,
  handlers: { [K in keyof Specs]: Handler<Specs[K], State> },
): BoundRoute<State>[] {
  return Object.keys(specs).map((key) => ({ spec: specs[key]!, handle: handlers[key] as Handler<RouteSpec, State> }));
}

/** What admission needs: the session check and the limiters. */
export interface Admission {
  authenticate: UseCases['authenticate'];
  limits: RateLimiters;
}

/** Authentication first (counting the per-user limits in the same lookup), then each limit in order. */
function admissionFor(spec: RouteSpec, admission: Admission | undefined): Middleware[] {
  const names = spec.limits ?? [];
  if (spec.auth === 'none' && names.length === 0) return [];
  if (!admission) throw new Error(`${spec.operationId} authenticates or limits, but its family was registered without admission`);
  const limits = names.map((name) => admission.limits[name]);
  if (spec.auth === 'none') return limits;
  return [requireAuth(admission.authenticate, userLimitsOf(admission.limits, names)) as Middleware, ...limits];
}

function bodyReaderFor(spec: RouteSpec): Middleware[] {
  if (!spec.body) return [];
  return [spec.body.form ? parseBody({ form: true }) : parseBody()];
}

/** `/api/contacts/{id}` → `/api/contacts/:id`, relative to the router's prefix. */
export function koaPath(path: string, prefix = ''): string {
  if (!path.startsWith(prefix)) throw new Error(`the route ${path} is outside its family's prefix ${prefix}`);
  const own = path.slice(prefix.length).replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
  return own === '' ? '/' : own;
}

/** Registers each route on the family's router: admission, the body reader, then the handler with its input. */
export function registerRoutes<State>(router: Router<State>, routes: readonly BoundRoute<State>[], admission?: Admission): Router<State> {
  for (const { spec, handle } of routes) {
    const named = [...spec.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]).sort();
    const declared = Object.keys(spec.params?.properties ?? {}).sort();
    if (named.join() !== declared.join()) throw new Error(`${spec.operationId}: the path names {${named.join()}} but its params declare {${declared.join()}}`);
    const endpoint = (ctx: RouterContext<State>) =>
      handle(ctx, { params: ctx.params, query: ctx.query, body: requestBody(ctx) } as unknown as RouteInput<RouteSpec>);
    const chain = [...admissionFor(spec, admission), ...bodyReaderFor(spec), endpoint] as Middleware[];
    (router[spec.method] as (path: string, ...middleware: Middleware[]) => Router<State>).call(router, koaPath(spec.path, router.opts.prefix), ...chain);
  }
  return router;
}
