import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { Type } from '@sinclair/typebox';
import test from 'ava';
import Koa, { type Middleware } from 'koa';
import type { UserLimit } from '../../../src/application/ports/user-rate-limiter.js';
import type { Caller } from '../../../src/application/use-cases/authenticate.js';
import type { RateLimiters } from '../../../src/adapters/http/middleware/rate-limit.js';
import { type Admission, implement, koaPath, registerRoutes, route } from '../../../src/adapters/http/route.js';

const CONTACTS: UserLimit = { name: 'contacts', max: 10, windowSeconds: 60 };
const CREATE: UserLimit = { name: 'contactCreate', max: 2, windowSeconds: 60 };

/** Limiters and an authentication that write down what ran, in order. */
function recordingAdmission(events: string[]): Admission {
  const limiter =
    (name: string): Middleware =>
    async (_ctx, next) => {
      events.push(`limit ${name}`);
      await next();
    };
  const limits: RateLimiters = {
    contacts: limiter('contacts'),
    contactCreate: limiter('contactCreate'),
    auth: limiter('auth'),
    account: limiter('account'),
    userLimits: { contacts: CONTACTS, contactCreate: CREATE },
  };
  const authenticate = async (token: string, counted: readonly UserLimit[] = []) => {
    events.push(`authenticate ${token} counting [${counted.map((limit) => limit.name).join(', ')}]`);
    return { user: { id: 'user-1' }, sessionId: 'session-1' } as unknown as Caller;
  };
  return { authenticate: authenticate as Admission['authenticate'], limits };
}

const specs = {
  create: route({
    method: 'post',
    path: '/things/{id}/parts',
    operationId: 'createPart',
    summary: 'A test route',
    description: 'Authenticated, two per-user limits, a JSON body.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts', 'contactCreate'],
    params: Type.Object({ id: Type.String() }),
    body: { json: Type.Object({ name: Type.String() }) },
    responses: { 201: { description: 'Made.' } },
  }),
  open: route({
    method: 'get',
    path: '/things',
    operationId: 'listThings',
    summary: 'A public test route',
    description: 'Limited per IP only.',
    tags: ['Contacts'],
    auth: 'none',
    limits: ['auth'],
    query: Type.Object({ q: Type.Optional(Type.String()) }),
    responses: { 200: { description: 'Listed.' } },
  }),
};

async function serve(router: Router<unknown>) {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = (error as { code?: string }).code === 'UNAUTHENTICATED' ? 401 : 500;
    }
  });
  app.use(router.routes());
  const server = createServer(app.callback()).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('a declared route runs authentication (handed its per-user limits), then each limit in order, then the handler with its typed input', async (t) => {
  const events: string[] = [];
  const router = new Router<unknown>({ prefix: '/things', sensitive: true });
  registerRoutes(
    router,
    implement<unknown, typeof specs>(specs, {
      create: (ctx, { params, body }) => {
        events.push(`handler ${params.id} ${String(body.name)}`);
        ctx.status = 201;
      },
      open: (ctx, { query }) => {
        events.push(`handler q=${String(query.q)}`);
        ctx.body = { ok: true };
      },
    }),
    recordingAdmission(events),
  );
  const server = await serve(router);
  try {
    const created = await fetch(`${server.url}/things/42/parts`, {
      method: 'POST',
      headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'wheel' }),
    });
    t.is(created.status, 201);
    t.deepEqual(events, ['authenticate abc counting [contacts, contactCreate]', 'limit contacts', 'limit contactCreate', 'handler 42 wheel']);

    events.length = 0;
    const listed = await fetch(`${server.url}/things?q=x`);
    t.is(listed.status, 200);
    t.deepEqual(events, ['limit auth', 'handler q=x']);

    events.length = 0;
    const refused = await fetch(`${server.url}/things/42/parts`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    t.is(refused.status, 401);
    t.deepEqual(events, [], 'nothing runs before a missing token is refused');
  } finally {
    await server.close();
  }
});

test('registration refuses a path whose parameters the declaration does not name, and a route outside its family', (t) => {
  const mismatched = { wrong: { ...specs.create, path: '/things/{thing}/parts' } };
  t.throws(() => registerRoutes(new Router({ prefix: '/things' }), implement(mismatched, { wrong: () => {} }), recordingAdmission([])), {
    message: /createPart: the path names \{thing\} but its params declare \{id\}/,
  });
  t.throws(() => koaPath('/other/thing', '/things'), { message: /outside its family's prefix/ });
  t.is(koaPath('/things/{id}/parts', '/things'), '/:id/parts');
  t.is(koaPath('/things', '/things'), '/');
});

test('a route that authenticates or limits cannot be registered without admission', (t) => {
  t.throws(() => registerRoutes(new Router({ prefix: '/things' }), implement({ create: specs.create }, { create: () => {} })), {
    message: /createPart authenticates or limits/,
  });
});
