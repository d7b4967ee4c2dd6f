import Router from '@koa/router';
import type { UseCases } from '../../../application/use-cases.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { AuthState } from '../middleware/require-auth.js';
import { implement, registerRoutes, route } from '../route.js';
import { Label, LabelList, LabelPath, LabelRename } from '../schemas/labels.js';

/**
 * The labels (groups) of the caller's book, read and changed across its contacts. Every route
 * authenticates, then spends the caller's contacts limit, as /api/contacts does.
 */
export const labelRouteSpecs = {
  list: route({
    method: 'get',
    path: '/api/labels',
    operationId: 'listLabels',
    summary: 'The labels of your contacts',
    description: 'Every label your contacts carry, with how many carry it, by name (case-insensitive order).',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    responses: { 200: { description: 'The labels.', schema: LabelList } },
    problems: [401, 429, 503],
  }),
  rename: route({
    method: 'patch',
    path: '/api/labels/{name}',
    operationId: 'renameLabel',
    summary: 'Rename a label on every contact',
    description:
      'Every contact carrying the label (compared case-insensitively) carries the new name instead; when some already carry a label of that name, ' +
      'the two merge and no contact ends with both. 404 when no contact carries the label.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: LabelPath,
    body: { json: LabelRename },
    responses: { 200: { description: 'The label under its new name, with its count.', schema: Label } },
    problems: [400, 401, 404, 413, 415, 422, 429, 503],
  }),
  delete: route({
    method: 'delete',
    path: '/api/labels/{name}',
    operationId: 'deleteLabel',
    summary: 'Take a label off every contact',
    description: 'The contacts stay, without the label. 404 when no contact carries it (a client showing it holds a stale list).',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: LabelPath,
    responses: { 204: { description: 'Removed.' } },
    problems: [401, 404, 429, 503],
  }),
};

export function labelRoutes(useCases: UseCases, limits: RateLimiters): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/labels', sensitive: true });
  const owner = (ctx: { state: AuthState }) => ctx.state.caller.user.id;
  // The router decodes a path parameter once: `%2F` arrives as `/`, `%25` as `%`.
  const routes = implement<AuthState, typeof labelRouteSpecs>(labelRouteSpecs, {
    list: async (ctx) => {
      ctx.body = await useCases.listLabels(owner(ctx));
    },
    rename: async (ctx, { params, body }) => {
      ctx.body = await useCases.renameLabel(owner(ctx), params.name, body);
    },
    delete: async (ctx, { params }) => {
      await useCases.deleteLabel(owner(ctx), params.name);
      ctx.status = 204;
    },
  });
  return registerRoutes(router, routes, { authenticate: useCases.authenticate, limits });
}
