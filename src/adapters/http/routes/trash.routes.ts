import type { Context } from 'koa';
import { etagOf } from '../etag.js';
import type { AuthState } from '../middleware/require-auth.js';
import { integerParam } from '../query-params.js';
import { type BoundRoute, implement, route } from '../route.js';
import { Contact, ContactId } from '../schemas/contacts.js';
import { ChangeList, ChangesQuery, TrashPage, TrashQuery } from '../schemas/sync.js';
import type { UseCases } from '../../../application/use-cases.js';

/** The trash and the change feed (#28). Every route authenticates first, then counts against the caller's contacts limit. */
export const trashRouteSpecs = {
  listTrash: route({
    method: 'get',
    path: '/api/contacts/trash',
    operationId: 'listTrash',
    summary: 'The contacts in the trash',
    description: `Deleted contacts wait here for CONTACTS_TRASH_DAYS (30 by default), then are purged for good. Most recently deleted first.`,
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    query: TrashQuery,
    responses: { 200: { description: 'A page of the trash.', schema: TrashPage } },
    problems: [401, 422, 429, 503],
  }),
  emptyTrash: route({
    method: 'delete',
    path: '/api/contacts/trash',
    operationId: 'emptyTrash',
    summary: 'Purge the whole trash now',
    description: 'Every trashed contact is purged for good, its photo removed from storage; synchronising devices see them as deleted.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    responses: { 204: { description: 'The trash is empty.' } },
    problems: [401, 429, 503],
  }),
  purgeTrashed: route({
    method: 'delete',
    path: '/api/contacts/trash/{id}',
    operationId: 'purgeTrashedContact',
    summary: 'Purge one trashed contact now',
    description: 'The contact is purged for good, its photo removed from storage. 404 when it is not in the trash (a live contact is deleted first).',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: ContactId,
    responses: { 204: { description: 'Purged.' } },
    problems: [401, 404, 429, 503],
  }),
  restore: route({
    method: 'post',
    path: '/api/contacts/{id}/restore',
    operationId: 'restoreContact',
    summary: 'Bring a contact back from the trash',
    description:
      'Back in the book as it was when deleted. 404 when it is not in the trash; 409 CONTACT_EMAIL_TAKEN while a live contact holds one of its emails.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: ContactId,
    responses: {
      200: {
        description: 'The restored contact.',
        schema: Contact,
        headers: { ETag: { description: 'Its strong entity tag.', schema: { type: 'string', examples: ['"4"'] } } },
      },
    },
    problems: [401, 404, 409, 429, 503],
  }),
  changes: route({
    method: 'get',
    path: '/api/contacts/changes',
    operationId: 'listContactChanges',
    summary: 'What changed since a sync token',
    description:
      'Without `since`, every live contact; with it, every contact created, changed, restored, trashed or purged after it, in the order the changes ' +
      'were committed, each contact once with its latest state. Follow `next` while `more` is true: a client that does sees every change exactly ' +
      'once, even while other devices write. A token works on every instance for CONTACTS_TRASH_DAYS; an older one answers 410 SYNC_TOKEN_EXPIRED ' +
      '(start again without `since`), a malformed one 400 INVALID_SYNC_TOKEN.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    query: ChangesQuery,
    responses: { 200: { description: 'The changes and where to go on from.', schema: ChangeList } },
    problems: [400, 401, 410, 422, 429, 503],
  }),
};

/**
 * The routes, for the contacts family to register before its own (contactRoutes' `more`), so that
 * `/api/contacts/trash` and `/api/contacts/changes` win over `/api/contacts/{id}`.
 */
export function trashRoutes(useCases: UseCases): BoundRoute<AuthState>[] {
  const owner = (ctx: { state: AuthState }) => ctx.state.caller.user.id;
  return implement<AuthState, typeof trashRouteSpecs>(trashRouteSpecs, {
    listTrash: async (ctx, { query }) => {
      ctx.body = await useCases.listTrash(owner(ctx), { limit: integerParam(query.limit), offset: integerParam(query.offset) });
    },
    emptyTrash: async (ctx) => {
      await useCases.purgeTrash(owner(ctx), null);
      ctx.status = 204;
    },
    purgeTrashed: async (ctx, { params }) => {
      await useCases.purgeTrash(owner(ctx), params.id);
      ctx.status = 204;
    },
    restore: async (ctx, { params }) => {
      const restored = await useCases.restoreContact(owner(ctx), params.id);
      (ctx as Context).set('ETag', etagOf(restored.version));
      ctx.body = restored.contact;
    },
    changes: async (ctx, { query }) => {
      ctx.body = await useCases.listChanges(owner(ctx), { since: query.since, limit: integerParam(query.limit) });
    },
  });
}
