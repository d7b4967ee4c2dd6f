import Router from '@koa/router';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { UseCases } from '../use-cases.js';
import { parseBody } from '../middleware/body-parser.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';

type Body = Record<string, unknown>;
const body = (ctx: { request: unknown }) => (ctx.request as { body: Body }).body;

export function authRoutes(useCases: UseCases, limits: RateLimiters): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/auth' });

  router.post('/signup', limits.auth, parseBody(), async (ctx) => {
    const user = await useCases.registerUser(body(ctx));
    ctx.status = 201;
    ctx.body = { user };
  });

  router.get('/verify-email', async (ctx) => {
    const user = await useCases.verifyEmail(ctx.query.token);
    ctx.body = { message: 'Your email address is confirmed.', user };
  });

  router.post('/resend-verification', limits.auth, parseBody(), async (ctx) => {
    await useCases.resendVerification(body(ctx));
    ctx.status = 202;
    ctx.body = { message: 'If an unverified account uses this email, a new confirmation link is on its way.' };
  });

  // JSON { email, password }, or the OAuth2 password flow's form where `username` holds the email.
  router.post('/login', limits.auth, parseBody({ form: true }), async (ctx) => {
    const input = body(ctx);
    const email = ctx.is('application/x-www-form-urlencoded') ? input.username : input.email;
    const { userId: _userId, ...pair } = await useCases.logIn({ email, password: input.password }, { userAgent: ctx.get('User-Agent') });
    ctx.body = pair;
  });

  router.post('/refresh', parseBody(), async (ctx) => {
    ctx.body = await useCases.refreshSession(body(ctx).refreshToken);
  });

  router.post('/logout', requireAuth(useCases.authenticate), parseBody(), async (ctx) => {
    const { user, sessionId } = ctx.state.caller;
    await useCases.logOut({ userId: user.id, sessionId }, body(ctx).refreshToken);
    ctx.status = 204;
  });

  router.post('/forgot-password', limits.auth, parseBody(), async (ctx) => {
    await useCases.requestPasswordReset(body(ctx));
    ctx.status = 202;
    ctx.body = { message: 'If an account uses this email, a link to reset its password is on its way.' };
  });

  router.post('/reset-password', parseBody(), async (ctx) => {
    const input = body(ctx);
    await useCases.resetPassword({ token: input.token, password: input.password });
    ctx.status = 204;
  });

  // The emailed token is the proof: no Bearer. Limited per IP like the other routes that take one.
  router.post('/confirm-email-change', limits.auth, parseBody(), async (ctx) => {
    const user = await useCases.confirmEmailChange(body(ctx).token);
    ctx.body = { user };
  });

  return router;
}
