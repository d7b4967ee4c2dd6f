import Router from '@koa/router';
import type { RateLimiters } from '../middleware/rate-limit.js';
import { parseBody, requestBody } from '../middleware/body-parser.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';
import type { UseCases } from '../use-cases.js';

/** The caller's contact book. Every route authenticates first, then counts against the caller's limit. */
export function contactRoutes(useCases: UseCases, limits: RateLimiters): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/contacts' });
  // Authentication counts the request against the limits that follow it, in the same cache lookup.
  const guard = [requireAuth(useCases.authenticate, [limits.contacts]), limits.contacts] as const;
  const createGuard = [requireAuth(useCases.authenticate, [limits.contacts, limits.contactCreate]), limits.contacts, limits.contactCreate] as const;
  const owner = (ctx: { state: AuthState }) => ctx.state.caller.user.id;

  router.get('/', ...guard, async (ctx) => {
    ctx.body = await useCases.listContacts(owner(ctx), ctx.query);
  });

  // Declared before '/:id' so that it is never read as a contact id.
  router.get('/birthdays', ...guard, async (ctx) => {
    ctx.body = await useCases.upcomingBirthdays(owner(ctx), ctx.query);
  });

  router.post('/', ...createGuard, parseBody(), async (ctx) => {
    const contact = await useCases.createContact(owner(ctx), requestBody(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/contacts/${contact.id}`);
    ctx.body = contact;
  });

  router.get('/:id', ...guard, async (ctx) => {
    ctx.body = await useCases.getContact(owner(ctx), ctx.params.id!);
  });

  router.put('/:id', ...guard, parseBody(), async (ctx) => {
    ctx.body = await useCases.replaceContact(owner(ctx), ctx.params.id!, requestBody(ctx));
  });

  router.patch('/:id', ...guard, parseBody(), async (ctx) => {
    ctx.body = await useCases.patchContact(owner(ctx), ctx.params.id!, requestBody(ctx));
  });

  router.delete('/:id', ...guard, async (ctx) => {
    await useCases.deleteContact(owner(ctx), ctx.params.id!);
    ctx.status = 204;
  });

  return router;
}
