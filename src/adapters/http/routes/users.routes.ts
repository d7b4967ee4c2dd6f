import Router from '@koa/router';
import { toPublicUser } from '../../../domain/user.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';
import type { UseCases } from '../use-cases.js';

export function userRoutes(useCases: UseCases): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/users' });

  router.get('/me', requireAuth(useCases.authenticate), async (ctx) => {
    ctx.body = toPublicUser(ctx.state.caller.user);
  });

  return router;
}
