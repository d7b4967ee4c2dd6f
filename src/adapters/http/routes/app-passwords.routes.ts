import Router from '@koa/router';
import { Type } from '@sinclair/typebox';
import type { UseCases } from '../../../application/use-cases.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { AuthState } from '../middleware/require-auth.js';
import { implement, registerRoutes, route } from '../route.js';
import { AppPasswordList, AppPasswordRequest, CreatedAppPassword } from '../schemas/app-passwords.js';

const AppPasswordId = Type.Object({ id: Type.String({ description: 'The app password id.' }) });

/**
 * App passwords: one per device that syncs over CardDAV. Creating one checks the account password,
 * so it spends the client IP's auth budget as a login does, counted before the body is read.
 */
export const appPasswordRouteSpecs = {
  createAppPassword: route({
    method: 'post',
    path: '/api/users/me/app-passwords',
    operationId: 'createAppPassword',
    summary: 'Make a password for one device’s CardDAV sync',
    description:
      'The password is in this answer and never again (only a digest is kept). At most 20 per account (422 past it). ' +
      'A wrong current password is 403 `WRONG_PASSWORD` and counts as a failed login (429 past the limit). ' +
      'Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.',
    tags: ['Your account'],
    auth: 'bearer',
    limits: ['auth'],
    body: { json: AppPasswordRequest },
    responses: { 201: { description: 'Created; note the password now.', schema: CreatedAppPassword } },
    problems: [400, 401, 403, 413, 415, 422, 429, 503],
  }),
  listAppPasswords: route({
    method: 'get',
    path: '/api/users/me/app-passwords',
    operationId: 'listAppPasswords',
    summary: 'Your app passwords',
    description: 'Names and dates; never a password.',
    tags: ['Your account'],
    auth: 'bearer',
    responses: { 200: { description: 'Newest first.', schema: AppPasswordList } },
    problems: [401, 503],
  }),
  revokeAppPassword: route({
    method: 'delete',
    path: '/api/users/me/app-passwords/{id}',
    operationId: 'revokeAppPassword',
    summary: 'Revoke an app password',
    description: "The device using it is refused at once, on every instance. Another user's app password or an unknown id → 404.",
    tags: ['Your account'],
    auth: 'bearer',
    params: AppPasswordId,
    responses: { 204: { description: 'Revoked.' } },
    problems: [401, 404, 503],
  }),
};

export function appPasswordRoutes(useCases: UseCases, limits: RateLimiters): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/users/me/app-passwords', sensitive: true });
  const routes = implement<AuthState, typeof appPasswordRouteSpecs>(appPasswordRouteSpecs, {
    createAppPassword: async (ctx, { body }) => {
      ctx.body = await useCases.createAppPassword(ctx.state.caller.user.id, { name: body.name, currentPassword: body.currentPassword, clientIp: ctx.ip });
      ctx.status = 201;
    },
    listAppPasswords: async (ctx) => {
      ctx.body = await useCases.listAppPasswords(ctx.state.caller.user.id);
    },
    revokeAppPassword: async (ctx, { params }) => {
      await useCases.revokeAppPassword(ctx.state.caller.user.id, params.id);
      ctx.status = 204;
    },
  });
  return registerRoutes(router, routes, { authenticate: useCases.authenticate, limits });
}
