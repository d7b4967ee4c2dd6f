import type Router from '@koa/router';
import type Koa from 'koa';

export interface RouteEntry {
  method: string;
  /** As registered with the router, e.g. `/api/contacts/:id`. */
  path: string;
}

/**
 * Every (method, path) the app's routers answer, read from the routers themselves (HEAD, which
 * the router adds to every GET, is left out). The OpenAPI test compares this with the document.
 */
export function listRoutes(app: Koa): RouteEntry[] {
  const routers = app.middleware.flatMap((middleware) => {
    const { router, routers } = middleware as { router?: Router; routers?: readonly Router[] };
    return routers ?? (router ? [router] : []);
  });
  const entries = routers.flatMap((router) =>
    router.stack.flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => ({ method, path: String(layer.path) }))),
  );
  const unique = new Map(entries.map((entry) => [`${entry.method} ${entry.path}`, entry]));
  return [...unique.values()];
}
