import Router from '@koa/router';
import { toPublicUser } from '../../../domain/user.js';
import { parseBody, requestBody as body } from '../middleware/body-parser.js';
import { readSingleFile, uploadedFile } from '../middleware/multipart.js';
import { type RateLimiters, userLimitsOf } from '../middleware/rate-limit.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';
import type { UseCases } from '../use-cases.js';

export function userRoutes(useCases: UseCases, limits: RateLimiters, options: { avatarMaxBytes: number }): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/users', sensitive: true });
  const auth = requireAuth(useCases.authenticate);
  // Counted before the body is read and the password hashed. A route that checks a password spends
  // the client IP's auth budget (the one login spends); costly work spends the user's account budget.
  const checksPassword = [auth, limits.auth] as const;
  const costly = [requireAuth(useCases.authenticate, userLimitsOf(limits, ['account'])), limits.account] as const;
  const caller = (ctx: { state: AuthState }) => ({ userId: ctx.state.caller.user.id, sessionId: ctx.state.caller.sessionId });

  router.get('/me', auth, async (ctx) => {
    ctx.body = toPublicUser(ctx.state.caller.user);
  });

  router.patch('/me', auth, parseBody(), async (ctx) => {
    ctx.body = await useCases.updateUsername(ctx.state.caller.user.id, { username: body(ctx).username });
  });

  router.delete('/me', ...checksPassword, parseBody(), async (ctx) => {
    await useCases.deleteAccount(ctx.state.caller.user.id, { password: body(ctx).password, clientIp: ctx.ip });
    ctx.status = 204;
  });

  // Authentication and the limit first, so an anonymous or limited upload is refused before its body is read.
  router.patch('/me/avatar', ...costly, readSingleFile('avatar', options.avatarMaxBytes), async (ctx) => {
    ctx.body = await useCases.updateAvatar({ userId: ctx.state.caller.user.id, image: uploadedFile(ctx) });
  });

  router.post('/me/password', ...checksPassword, parseBody(), async (ctx) => {
    const input = body(ctx);
    ctx.body = await useCases.changePassword(caller(ctx), { currentPassword: input.currentPassword, newPassword: input.newPassword, clientIp: ctx.ip });
  });

  router.post('/me/email', ...checksPassword, parseBody(), async (ctx) => {
    const input = body(ctx);
    await useCases.requestEmailChange(ctx.state.caller.user.id, { newEmail: input.newEmail, currentPassword: input.currentPassword, clientIp: ctx.ip });
    ctx.status = 202;
    ctx.body = { message: 'A confirmation link is on its way to the new address. Nothing changes until it is opened and confirmed.' };
  });

  router.get('/me/sessions', auth, async (ctx) => {
    ctx.body = await useCases.listSessions(caller(ctx));
  });

  router.delete('/me/sessions', auth, async (ctx) => {
    await useCases.revokeOtherSessions(caller(ctx));
    ctx.status = 204;
  });

  router.delete('/me/sessions/:id', auth, async (ctx) => {
    await useCases.revokeSession(caller(ctx), ctx.params.id!);
    ctx.status = 204;
  });

  router.get('/me/export', ...costly, async (ctx) => {
    const exported = await useCases.exportAccount(caller(ctx));
    ctx.set('Content-Disposition', 'attachment; filename="account-export.json"');
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(exported, null, 2);
  });

  return router;
}
