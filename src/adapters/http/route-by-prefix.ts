import type Router from '@koa/router';
import type { Middleware } from 'koa';
import compose from 'koa-compose';

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
  const withMethods = (router: AnyRouter) => compose([router.routes(), router.allowedMethods(options)]) as Middleware;
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
