import Router from '@koa/router';
import { toPublicUser } from '../../../domain/user.js';
import { parseBody, requestBody as body } from '../middleware/body-parser.js';
import { readSingleFile, uploadedFile } from '../middleware/multipart.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';
import type { UseCases } from '../use-cases.js';

export function userRoutes(useCases: UseCases, options: { avatarMaxBytes: number }): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/users' });
  const auth = requireAuth(useCases.authenticate);
  const caller = (ctx: { state: AuthState }) => ({ userId: ctx.state.caller.user.id, sessionId: ctx.state.caller.sessionId });

  router.get('/me', auth, async (ctx) => {
    ctx.body = toPublicUser(ctx.state.caller.user);
  });

  router.patch('/me', auth, parseBody(), async (ctx) => {
    ctx.body = await useCases.updateUsername(ctx.state.caller.user.id, { username: body(ctx).username });
  });

  router.delete('/me', auth, parseBody(), async (ctx) => {
    await useCases.deleteAccount(ctx.state.caller.user.id, { password: body(ctx).password, clientIp: ctx.ip });
    ctx.status = 204;
  });

  // Authentication first, so an anonymous upload is refused before its body is read.
  router.patch('/me/avatar', auth, readSingleFile('avatar', options.avatarMaxBytes), async (ctx) => {
    ctx.body = await useCases.updateAvatar({ userId: ctx.state.caller.user.id, image: uploadedFile(ctx) });
  });

  router.post('/me/password', auth, parseBody(), async (ctx) => {
    const input = body(ctx);
    ctx.body = await useCases.changePassword(caller(ctx), { currentPassword: input.currentPassword, newPassword: input.newPassword, clientIp: ctx.ip });
  });

  router.post('/me/email', auth, parseBody(), async (ctx) => {
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

  router.get('/me/export', auth, async (ctx) => {
    const exported = await useCases.exportAccount(caller(ctx));
    ctx.set('Content-Disposition', 'attachment; filename="account-export.json"');
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(exported, null, 2);
  });

  return router;
}
