import Router from '@koa/router';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { toPublicUser } from '../../../domain/user.js';
import { jsonObjectStream } from '../json-stream.js';
import { readSingleFile, uploadedFile } from '../middleware/multipart.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { AuthState } from '../middleware/require-auth.js';
import { implement, registerRoutes, route } from '../route.js';
import { Message } from '../schemas/common.js';
import { ref } from '../schemas/schema.js';
import {
  AccountExport,
  AvatarUpload,
  ChangePasswordRequest,
  EmailChangeRequest,
  PasswordRequest,
  SessionList,
  TokenPair,
  User,
  UsernameRequest,
} from '../schemas/users.js';
import type { UseCases } from '../../../application/use-cases.js';

const SessionId = Type.Object({ id: Type.String({ description: 'The session id.' }) });

/**
 * The signed-in user. A route that checks a password spends the client IP's auth budget (the one
 * login spends), counted before the body is read and the password hashed; costly work spends the
 * user's account budget.
 */
export const userRouteSpecs = {
  getMe: route({
    method: 'get',
    path: '/api/users/me',
    operationId: 'getMe',
    summary: 'The signed-in user',
    description: 'The account the access token belongs to.',
    tags: ['Users'],
    auth: 'bearer',
    responses: { 200: { description: 'The user.', schema: User } },
    problems: [401, 503],
  }),
  updateMe: route({
    method: 'patch',
    path: '/api/users/me',
    operationId: 'updateMe',
    summary: 'Change your username (the only field edited directly)',
    description: 'The email and the password have their own routes, which ask for the current password.',
    tags: ['Your account'],
    auth: 'bearer',
    body: { json: UsernameRequest },
    responses: { 200: { description: 'The user.', schema: User } },
    problems: [400, 401, 413, 415, 422, 503],
  }),
  deleteMe: route({
    method: 'delete',
    path: '/api/users/me',
    operationId: 'deleteMe',
    summary: 'Delete your account and everything it owns',
    description:
      'Contacts, sessions, one-time tokens, queued emails and the avatar go; every token is refused at once; a goodbye email is sent; ' +
      'the address can sign up again. A wrong password is 403 `WRONG_PASSWORD` and counts as a failed login (429 past the limit). ' +
      'Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.',
    tags: ['Your account'],
    auth: 'bearer',
    limits: ['auth'],
    body: { json: PasswordRequest },
    responses: { 204: { description: 'Deleted.' } },
    problems: [400, 401, 403, 413, 415, 422, 429, 503],
  }),
  changePassword: route({
    method: 'post',
    path: '/api/users/me/password',
    operationId: 'changePassword',
    summary: 'Change your password',
    description:
      'Every other session is revoked at once and the old access token is refused; the calling session gets the new pair. ' +
      'A "password changed" email is sent. A wrong current password is 403 `WRONG_PASSWORD` and counts as a failed login. ' +
      'Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.',
    tags: ['Your account'],
    auth: 'bearer',
    limits: ['auth'],
    body: { json: ChangePasswordRequest },
    responses: { 200: { description: 'A new token pair for the calling session.', schema: TokenPair } },
    problems: [400, 401, 403, 413, 415, 422, 429, 503],
  }),
  requestEmailChange: route({
    method: 'post',
    path: '/api/users/me/email',
    operationId: 'requestEmailChange',
    summary: 'Ask to change your email address',
    description:
      'Nothing changes yet: a link to `/account/confirm-email-change` goes to the new address (expires after `VERIFY_TOKEN_TTL_S`; only the newest works), ' +
      'and a notice with the new address partly masked goes to the current one. 409 `EMAIL_TAKEN` if another account uses the address. ' +
      'At most one confirmation per new address per minute (a further request still answers 202; the notice is always sent). ' +
      'Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.',
    tags: ['Your account'],
    auth: 'bearer',
    limits: ['auth'],
    body: { json: EmailChangeRequest },
    responses: { 202: { description: 'Accepted.', schema: Message } },
    problems: [400, 401, 403, 409, 413, 415, 422, 429, 503],
  }),
  listSessions: route({
    method: 'get',
    path: '/api/users/me/sessions',
    operationId: 'listSessions',
    summary: 'Your live sessions',
    description: 'One per login that has not ended; never a token or a hash.',
    tags: ['Your account'],
    auth: 'bearer',
    responses: { 200: { description: 'Newest first; `current` marks the calling one.', schema: SessionList } },
    problems: [401, 503],
  }),
  revokeOtherSessions: route({
    method: 'delete',
    path: '/api/users/me/sessions',
    operationId: 'revokeOtherSessions',
    summary: 'Log out everywhere else',
    description: 'Every session but the calling one is revoked at once (its access and refresh tokens refused).',
    tags: ['Your account'],
    auth: 'bearer',
    responses: { 204: { description: 'Done.' } },
    problems: [401, 503],
  }),
  revokeSession: route({
    method: 'delete',
    path: '/api/users/me/sessions/{id}',
    operationId: 'revokeSession',
    summary: 'End one of your sessions',
    description: "Its access and refresh tokens are refused at once. Another user's session or an unknown id → 404.",
    tags: ['Your account'],
    auth: 'bearer',
    params: SessionId,
    responses: { 204: { description: 'Revoked.' } },
    problems: [401, 404, 503],
  }),
  exportAccount: route({
    method: 'get',
    path: '/api/users/me/export',
    operationId: 'exportAccount',
    summary: 'Everything the service holds about you, as a JSON file',
    description:
      'No hashes, no tokens. Sent with `Content-Disposition: attachment; filename="account-export.json"`. ' +
      'Limited per user with avatar uploads (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`).',
    tags: ['Your account'],
    auth: 'bearer',
    limits: ['account'],
    responses: {
      200: {
        description: 'The export.',
        headers: { 'Content-Disposition': { description: '`attachment; filename="account-export.json"`', schema: { type: 'string' } } },
        schema: AccountExport,
      },
    },
    problems: [401, 429, 503],
  }),
  updateAvatar: route({
    method: 'patch',
    path: '/api/users/me/avatar',
    operationId: 'updateAvatar',
    summary: 'Upload a new avatar',
    description:
      'Limited per user with the account export (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`), counted before the upload is read. ' +
      'The uploads of an instance share a bounded amount of memory: past it an upload waits its turn, and too many waiting, or waiting 15 s, is 503 UPLOADS_BUSY with Retry-After. ' +
      'A body that stops for 10 s, or arrives slower than 64 KiB/s after the first 10 s, is 408 REQUEST_TIMEOUT.',
    tags: ['Users'],
    auth: 'bearer',
    limits: ['account'],
    upload: { 'multipart/form-data': { schema: ref(AvatarUpload) } },
    responses: { 200: { description: 'The user with its new avatarUrl.', schema: User } },
    problems: [400, 401, 408, 413, 415, 422, 429, 502, 503, 504],
  }),
};

export function userRoutes(useCases: UseCases, limits: RateLimiters, options: { avatarMaxBytes: number }): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/users', sensitive: true });
  const caller = (ctx: { state: AuthState }) => ({ userId: ctx.state.caller.user.id, sessionId: ctx.state.caller.sessionId });
  // Authentication and the limit come first, so an anonymous or limited upload is refused before its body is read.
  const avatarUpload = readSingleFile('avatar', options.avatarMaxBytes);

  const routes = implement<AuthState, typeof userRouteSpecs>(userRouteSpecs, {
    getMe: (ctx) => {
      ctx.body = toPublicUser(ctx.state.caller.user);
    },
    updateMe: async (ctx, { body }) => {
      ctx.body = await useCases.updateUsername(ctx.state.caller.user.id, { username: body.username });
    },
    deleteMe: async (ctx, { body }) => {
      await useCases.deleteAccount(ctx.state.caller.user.id, { password: body.password, clientIp: ctx.ip });
      ctx.status = 204;
    },
    changePassword: async (ctx, { body }) => {
      ctx.body = await useCases.changePassword(caller(ctx), { currentPassword: body.currentPassword, newPassword: body.newPassword, clientIp: ctx.ip });
    },
    requestEmailChange: async (ctx, { body }) => {
      await useCases.requestEmailChange(ctx.state.caller.user.id, { newEmail: body.newEmail, currentPassword: body.currentPassword, clientIp: ctx.ip });
      ctx.status = 202;
      ctx.body = { message: 'A confirmation link is on its way to the new address. Nothing changes until it is opened and confirmed.' };
    },
    listSessions: async (ctx) => {
      ctx.body = await useCases.listSessions(caller(ctx));
    },
    revokeOtherSessions: async (ctx) => {
      await useCases.revokeOtherSessions(caller(ctx));
      ctx.status = 204;
    },
    revokeSession: async (ctx, { params }) => {
      await useCases.revokeSession(caller(ctx), params.id);
      ctx.status = 204;
    },
    exportAccount: async (ctx) => {
      const exported = await useCases.exportAccount(caller(ctx));
      ctx.set('Content-Disposition', 'attachment; filename="account-export.json"');
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = Readable.from(jsonObjectStream({ ...exported }));
    },
    updateAvatar: async (ctx) => {
      await avatarUpload(ctx, async () => {
        ctx.body = await useCases.updateAvatar({ userId: ctx.state.caller.user.id, image: uploadedFile(ctx) });
      });
    },
  });
  return registerRoutes(router, routes, { authenticate: useCases.authenticate, limits });
}
