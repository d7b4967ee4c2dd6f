import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Router from '@koa/router';
import { Type } from '@sinclair/typebox';
import type * as OA from 'openapi3-ts/oas31';
import { HttpProblem } from '../problem.js';
import { implement, registerRoutes, route } from '../route.js';

// Swagger UI is served from the installed package, never a CDN: clients may be offline.
const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#docs',
  deepLinking: true,
  validatorUrl: null,
  displayRequestDuration: true,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Contacts API documentation</title>
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<noscript><p>This page needs JavaScript. The document itself is at <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<div id="docs"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

/** Scripts, styles and calls only to this origin (no inline script); Swagger UI draws its icons as data: images. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  type: string;
  load(): Promise<Buffer>;
}

const fromPackage = (file: string, type: string): Asset => ({ type, load: () => readFile(path.join(SWAGGER_UI_DIR, file)) });

const ASSETS: Record<string, Asset> = {
  'swagger-ui.css': fromPackage('swagger-ui.css', 'text/css; charset=utf-8'),
  'swagger-ui-bundle.js': fromPackage('swagger-ui-bundle.js', 'text/javascript; charset=utf-8'),
  'favicon-32x32.png': fromPackage('favicon-32x32.png', 'image/png'),
  'init.js': { type: 'text/javascript; charset=utf-8', load: async () => Buffer.from(INIT_SCRIPT) },
};

export const docsRouteSpecs = {
  openApi: route({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApi',
    summary: 'This document',
    description: 'The OpenAPI 3.1 document of the API, assembled from the same route declarations the server is built from.',
    tags: ['Operations'],
    auth: 'none',
    responses: { 200: { description: 'OpenAPI 3.1.', schema: Type.Object({}) } },
  }),
  docs: route({
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    summary: 'Interactive documentation of this document',
    description: 'Swagger UI, served from this origin (no CDN), reading /openapi.json.',
    tags: ['Operations'],
    auth: 'none',
    responses: { 200: { description: 'The documentation page.', content: { 'text/html': { schema: { type: 'string' } } } } },
  }),
};

/** The document at /openapi.json and the page that shows it; the document is given, so that it is assembled once, in openapi.ts. */
export function docsRoutes(document: OA.OpenAPIObject): Router {
  const router = new Router({ sensitive: true });
  const cache = new Map<string, Promise<Buffer>>();

  registerRoutes(
    router,
    implement<unknown, typeof docsRouteSpecs>(docsRouteSpecs, {
      openApi: (ctx) => {
        ctx.body = document;
      },
      docs: (ctx) => {
        ctx.set('Content-Security-Policy', DOCS_CSP);
        ctx.set('Referrer-Policy', 'no-referrer');
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = PAGE;
      },
    }),
  );

  // The page's own static files: not API routes, so not in the OpenAPI document.
  router.get('/docs/:asset', async (ctx) => {
    const name = ctx.params.asset!;
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) throw new HttpProblem(404, 'NOT_FOUND', 'There is nothing at this address.');
    let content = cache.get(name);
    if (!content) {
      content = asset.load();
      cache.set(name, content);
      content.catch(() => cache.delete(name));
    }
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = asset.type;
    ctx.body = await content;
  });

  return router;
}
