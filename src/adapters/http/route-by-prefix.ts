import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';

type Layer = AnyRouter['stack'][number];

// biome-ignore lint/suspicious/noExplicitAny: the families' routers differ in their state's type, which nothing here reads.
type AnyRouter = Router<any>;
type AllowedMethodsOptions = Parameters<Router['allowedMethods']>[0];

/** The dispatching middleware, with the routers it reaches (the route table of the OpenAPI test reads them). */
export interface PrefixDispatch extends Middleware {
  readonly routers: readonly AnyRouter[];
}

/**
 * Hands each request to the one router of `families` whose prefix (`new Router({ prefix })`) its
 * path starts with, and every other path to `rest`;
 * each router answers its own 405s and 501s with `allowedMethods(options)`, as one router of every
 * route would.
 *
 * Why not one router: @koa/router tests a request against every route of the router it reaches
 * and builds that request's middleware chain afresh. Behind a single router of all 44 routes this
 * was the largest allocation of a cached contact read (a fifth of its bytes); a family holds ten
 * routes at most (docs/decisions/hot-reads-in-front-of-koa.md).
 *
 * Prefixes are matched as the routers match paths: whole segments, case-sensitively. Every router
 * must say `sensitive: true`: @koa/router otherwise matches regardless of case, and the headers
 * chosen by path (securityHeadersFor, pageHeaders) would miss a route answered under another spelling.
 */
export function routeByPrefix(families: readonly AnyRouter[], rest: AnyRouter, options: AllowedMethodsOptions): PrefixDispatch {
  for (const router of [...families, rest]) {
    const loose = router.stack.find((layer) => layer.opts.sensitive !== true);
    if (loose) throw new Error(`the route "${String(loose.path)}" matches regardless of case: create its router with sensitive: true`);
  }
  const withMethods = (router: AnyRouter) => compiledRoutes(router, compose([router.routes(), router.allowedMethods(options)]) as Middleware);
  const table = families.map((router) => {
    const prefix = router.opts.prefix;
    if (!prefix || prefix.endsWith('/')) throw new Error(`a route family needs a prefix without a trailing slash, not "${prefix ?? ''}"`);
    return { prefix, below: `${prefix}/`, dispatch: withMethods(router) };
  });
  const fallback = withMethods(rest);

  const dispatch: Middleware = (ctx, next) => {
    const path = ctx.path;
    for (const family of table) {
      if (path === family.prefix || path.startsWith(family.below)) return family.dispatch(ctx, next);
    }
    return fallback(ctx, next);
  };
  return Object.assign(dispatch, { routers: [...families, rest] });
}

interface CompiledRoute {
  layer: Layer;
  /** The route's middleware (admission, body reader, handler), composed once. */
  run: Middleware;
}

/**
 * A router's routes as a table built once, by method, in the order they were registered. For each
 * request @koa/router tests the path against every route of the router and composes the matching
 * routes' middleware afresh; the table tests only the routes of the request's method and runs
 * middleware composed in advance. It does what the router does for a route that matches: the
 * routes matching path and method run in order (each reached when the one before calls `next`),
 * with `ctx.params` decoded from the path by the route itself. A request no route of its method
 * matches (404, 405, 501, OPTIONS) goes to `dispatch`, the router and its allowedMethods, which
 * answer it as before; they have nothing to add once a route of the method matched. A router
 * with middleware of its own (`router.use`) keeps its dispatch, as that middleware runs before
 * any route.
 */
function compiledRoutes(router: AnyRouter, dispatch: Middleware): Middleware {
  if (router.stack.some((layer) => layer.methods.length === 0)) return dispatch;
  const byMethod = new Map<string, CompiledRoute[]>();
  for (const layer of router.stack) {
    const route = { layer, run: compose(layer.stack as Middleware[]) };
    for (const method of layer.methods) byMethod.set(method, [...(byMethod.get(method) ?? []), route]);
  }

  type Context = Parameters<Middleware>[0] & { captures: string[]; params: Record<string, string>; request: { params: Record<string, string> } };
  const matching = (routes: readonly CompiledRoute[], start: number, path: string) => {
    for (let i = start; i < routes.length; i++) if (routes[i]!.layer.match(path)) return i;
    return -1;
  };
  const runFrom = (routes: readonly CompiledRoute[], i: number, path: string, ctx: Context, next: () => Promise<unknown>): Promise<unknown> => {
    const { layer, run } = routes[i]!;
    ctx.captures = layer.captures(path);
    ctx.params = ctx.request.params = layer.params(path, ctx.captures, ctx.params);
    return run(ctx, () => {
      const after = matching(routes, i + 1, path);
      return after < 0 ? next() : runFrom(routes, after, path, ctx, next);
    });
  };

  return function routeByTable(ctx, next) {
    const routes = byMethod.get(ctx.method);
    const path = ctx.path;
    const first = routes ? matching(routes, 0, path) : -1;
    if (first < 0) return dispatch(ctx, next);
    return runFrom(routes!, first, path, ctx as Context, next);
  };
}
