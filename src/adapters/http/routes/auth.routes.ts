import Router from '@koa/router';
import { ValidationFailed } from '../../../domain/errors.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { UseCases } from '../use-cases.js';
import { parseBody, requestBody } from '../middleware/body-parser.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';

export function authRoutes(useCases: UseCases, limits: RateLimiters): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/auth', sensitive: true });

  router.post('/signup', limits.auth, parseBody(), async (ctx) => {
    const user = await useCases.registerUser(requestBody(ctx));
    ctx.status = 201;
    ctx.body = { user };
  });

  router.get('/verify-email', async (ctx) => {
    const user = await useCases.verifyEmail(ctx.query.token);
    ctx.body = { message: 'Your email address is confirmed.', user };
  });

  router.post('/resend-verification', limits.auth, parseBody(), async (ctx) => {
    await useCases.resendVerification(requestBody(ctx));
    ctx.status = 202;
    ctx.body = { message: 'If an unverified account uses this email, a new confirmation link is on its way.' };
  });

  // JSON { email, password }, or the OAuth2 password flow's form where `username` holds the email.
  router.post('/login', limits.auth, parseBody({ form: true }), async (ctx) => {
    const input = requestBody(ctx);
    const isForm = Boolean(ctx.is('application/x-www-form-urlencoded'));
    try {
      const { userId: _userId, ...pair } = await useCases.logIn(
        { email: isForm ? input.username : input.email, password: input.password, clientIp: ctx.ip },
        { userAgent: ctx.get('User-Agent') },
      );
      ctx.body = pair;
    } catch (error) {
      // The form's field is `username`: name the field the client sent.
      if (isForm && error instanceof ValidationFailed) {
        throw new ValidationFailed(error.errors.map((e) => (e.field === 'email' ? { ...e, field: 'username' } : e)));
      }
      throw error;
    }
  });

  router.post('/refresh', parseBody(), async (ctx) => {
    ctx.body = await useCases.refreshSession(requestBody(ctx).refreshToken);
  });

  router.post('/logout', requireAuth(useCases.authenticate), parseBody(), async (ctx) => {
    const { user, sessionId } = ctx.state.caller;
    await useCases.logOut({ userId: user.id, sessionId }, requestBody(ctx).refreshToken);
    ctx.status = 204;
  });

  router.post('/forgot-password', limits.auth, parseBody(), async (ctx) => {
    await useCases.requestPasswordReset(requestBody(ctx));
    ctx.status = 202;
    ctx.body = { message: 'If an account uses this email, a link to reset its password is on its way.' };
  });

  router.post('/reset-password', limits.auth, parseBody(), async (ctx) => {
    const input = requestBody(ctx);
    await useCases.resetPassword({ token: input.token, password: input.password });
    ctx.status = 204;
  });

  // The emailed token is the proof: no Bearer. Limited per IP like the other routes that take one.
  router.post('/confirm-email-change', limits.auth, parseBody(), async (ctx) => {
    const user = await useCases.confirmEmailChange(requestBody(ctx).token);
    ctx.body = { user };
  });

  return router;
}
