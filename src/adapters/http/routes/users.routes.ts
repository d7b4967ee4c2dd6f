import Router from '@koa/router';
import { toPublicUser } from '../../../domain/user.js';
import { readSingleFile, uploadedFile } from '../middleware/multipart.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';
import type { UseCases } from '../use-cases.js';

export function userRoutes(useCases: UseCases, options: { avatarMaxBytes: number }): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/users' });

  router.get('/me', requireAuth(useCases.authenticate), async (ctx) => {
    ctx.body = toPublicUser(ctx.state.caller.user);
  });

  // Authentication first, so an anonymous upload is refused before its body is read.
  router.patch('/me/avatar', requireAuth(useCases.authenticate), readSingleFile('avatar', options.avatarMaxBytes), async (ctx) => {
    ctx.body = await useCases.updateAvatar({ userId: ctx.state.caller.user.id, image: uploadedFile(ctx) });
  });

  return router;
}
