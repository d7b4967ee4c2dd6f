import test from 'ava';
import { Validator } from '@seriousme/openapi-schema-validator';
import { STATUS_BY_ERROR } from '../../src/adapters/http/error-statuses.js';
import { openApiDocument } from '../../src/adapters/http/openapi.js';
import { listRoutes } from '../helpers/route-table.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Documented routes that other branches are building; the lead empties this list when merging
 * them. A route listed here must be documented and must not be routed yet.
 */
const NOT_YET_ROUTED: string[] = [];

/** Routed on purpose without being part of the API: static files of the documentation page and the account pages. */
const NOT_DOCUMENTED = ['GET /docs/{asset}', 'GET /account/style.css'];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function documented(): string[] {
  return Object.entries(openApiDocument.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** `/api/contacts/:id/` → `/api/contacts/{id}`, the document's spelling. */
function routed(app: TestApp): string[] {
  return listRoutes(app.container.app).map(({ method, path }) => {
    const openApiPath = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1');
    return `${method} ${openApiPath}`;
  });
}

let app: TestApp;
test.before(async () => {
  app = await startTestApp();
});
test.after.always(async () => {
  await app?.close();
});

test('the document is valid OpenAPI 3.1 and every $ref resolves', async (t) => {
  const validator = new Validator();
  const result = await validator.validate(JSON.parse(JSON.stringify(openApiDocument)) as Parameters<Validator['validate']>[0]);
  t.deepEqual(result.errors ?? [], []);
  t.true(result.valid);
  t.is(validator.version, '3.1');
  t.notThrows(() => validator.resolveRefs());
  const refs = [...JSON.stringify(openApiDocument).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
  t.true(refs.length > 0);
  for (const [, kind, name] of refs) {
    t.truthy((openApiDocument.components as Record<string, Record<string, unknown>>)[kind!]?.[name!], `${kind}/${name} is referenced but not defined`);
  }
});

test('every routed (method, path) is documented, and every documented one is routed (but the not-yet-routed list)', (t) => {
  const routes = routed(app);
  const docs = documented();
  t.deepEqual(routes.filter((route) => !docs.includes(route) && !NOT_DOCUMENTED.includes(route)).sort(), [], 'routed without a declaration (route.ts)');
  t.deepEqual(docs.filter((route) => !routes.includes(route) && !NOT_YET_ROUTED.includes(route)).sort(), [], 'documented but not routed');
  t.deepEqual(
    NOT_YET_ROUTED.filter((route) => routes.includes(route)),
    [],
    'routed now: remove from NOT_YET_ROUTED',
  );
  t.deepEqual(
    NOT_YET_ROUTED.filter((route) => !docs.includes(route)),
    [],
    'NOT_YET_ROUTED names a route the document lacks',
  );
  t.true(routes.includes('GET /health') && routes.includes('POST /api/auth/login'), 'the route table reads the real router');
});

test('each bearer operation of the document is refused without a token, and each public one is not asked for one', async (t) => {
  // The routers and the document are both built from the declarations: this checks that what the
  // document says of authentication is what the router enforces.
  for (const [path, item] of Object.entries(openApiDocument.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation || path.startsWith('/media/')) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const res = await app.request(path.replace(/\{[^}]+\}/g, 'x'), { method: method.toUpperCase() });
      const text = await res.text();
      const code = res.headers.get('content-type')?.startsWith('application/problem+json') ? (JSON.parse(text) as { code: string }).code : undefined;
      if (operation.security?.length) {
        t.deepEqual(operation.security, [{ bearerAuth: [] }], where);
        t.is(code, 'UNAUTHENTICATED', `${where} is documented as needing a token`);
      } else {
        t.deepEqual(operation.security, [], `${where} says it is public`);
        t.not(code, 'UNAUTHENTICATED', `${where} is documented as public`);
      }
    }
  }
});

test('every operation has an id, a summary, a description, a tag, a success response and problem+json errors', (t) => {
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(openApiDocument.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${path}`;
      t.truthy(operation.operationId && operation.summary && operation.description && operation.tags?.length, where);
      t.false(ids.has(operation.operationId!), `${where}: duplicate operationId`);
      ids.add(operation.operationId!);
      const statuses = Object.keys(operation.responses ?? {});
      t.true(
        statuses.some((status) => /^2/.test(status)),
        `${where}: no success response`,
      );
      const isPage = path.startsWith('/account') || path === '/docs';
      for (const status of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
        const response = operation.responses![status] as { $ref?: string };
        if (isPage) continue;
        t.regex(response.$ref ?? '', /^#\/components\/responses\//, `${where} ${status} is not a shared problem response`);
      }
    }
  }
  for (const [name, response] of Object.entries(openApiDocument.components?.responses ?? {})) {
    t.deepEqual(Object.keys((response as { content: object }).content), ['application/problem+json'], name);
  }
});

test('the document lists every route of the contract', (t) => {
  // From the contract (shared/API.md); the router comparison above keeps the document and the code in step.
  const contract = [
    'POST /api/auth/signup',
    'GET /api/auth/verify-email',
    'POST /api/auth/resend-verification',
    'POST /api/auth/login',
    'POST /api/auth/refresh',
    'POST /api/auth/logout',
    'POST /api/auth/forgot-password',
    'POST /api/auth/reset-password',
    'GET /api/users/me',
    'PATCH /api/users/me/avatar',
    'PATCH /api/users/me',
    'POST /api/users/me/password',
    'POST /api/users/me/email',
    'POST /api/auth/confirm-email-change',
    'GET /api/users/me/sessions',
    'DELETE /api/users/me/sessions/{id}',
    'DELETE /api/users/me/sessions',
    'DELETE /api/users/me',
    'GET /api/users/me/export',
    'POST /api/users/me/app-passwords',
    'GET /api/users/me/app-passwords',
    'DELETE /api/users/me/app-passwords/{id}',
    'GET /account/confirm-email-change',
    'POST /account/confirm-email-change',
    'GET /account/verify-email',
    'GET /account/forgot-password',
    'POST /account/forgot-password',
    'GET /account/reset-password',
    'POST /account/reset-password',
    'GET /api/contacts',
    'GET /api/contacts/birthdays',
    'POST /api/contacts',
    'GET /api/contacts/{id}',
    'PUT /api/contacts/{id}',
    'PATCH /api/contacts/{id}',
    'DELETE /api/contacts/{id}',
    'GET /api/contacts/export',
    'POST /api/contacts/import',
    'PUT /api/contacts/{id}/photo',
    'DELETE /api/contacts/{id}/photo',
    'GET /api/contacts/duplicates',
    'POST /api/contacts/{id}/merge',
    'GET /api/contacts/trash',
    'POST /api/contacts/{id}/restore',
    'DELETE /api/contacts/trash/{id}',
    'DELETE /api/contacts/trash',
    'GET /api/contacts/changes',
    'GET /api/labels',
    'PATCH /api/labels/{name}',
    'DELETE /api/labels/{name}',
    'GET /health',
    'GET /ready',
    'GET /openapi.json',
    'GET /docs',
  ];
  // Beyond the contract: the page behind the "send me a new link" form, and local-disk avatars.
  const extra = ['GET /account/resend-verification', 'POST /account/resend-verification', 'GET /media/{name}'];
  t.deepEqual(documented().sort(), [...contract, ...extra].sort());
});

test('GET /openapi.json answers the document as JSON', async (t) => {
  const res = await app.request('/openapi.json');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^application\/json/);
  t.deepEqual(await res.json(), JSON.parse(JSON.stringify(openApiDocument)));
});

test('every status the error table gives a domain error has its problem+json response in the document', (t) => {
  const responses = openApiDocument.components?.responses ?? {};
  const documented = new Set(
    Object.values(openApiDocument.paths ?? {}).flatMap((item) => METHODS.flatMap((method) => Object.keys(item[method]?.responses ?? {}))),
  );
  for (const [type, status] of STATUS_BY_ERROR) {
    t.true(documented.has(String(status)), `${type.name} → ${status} is answered by no documented operation`);
  }
  t.true(Object.keys(responses).length >= new Set(STATUS_BY_ERROR.map(([, status]) => status)).size);
});
