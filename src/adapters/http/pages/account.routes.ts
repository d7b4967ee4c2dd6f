import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../../../application/ports/logger.js';
import { RateLimited, ServiceUnavailable, ValidationFailed } from '../../../domain/errors.js';
import { EmailTaken, InvalidToken } from '../../../domain/user.errors.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import { parseBody, requestBody } from '../middleware/body-parser.js';
import { requestIdOf } from '../middleware/request-log.js';
import { HttpProblem } from '../problem.js';
import type { UseCases } from '../use-cases.js';
import {
  checkInboxPage,
  confirmEmailChangePage,
  emailChangedPage,
  emailChangeTakenPage,
  invalidEmailChangeLinkPage,
  emailVerifiedPage,
  errorPage,
  forgotPasswordPage,
  invalidResetLinkPage,
    passwordChangedPage,
  resendVerificationPage,
  resetPasswordPage,
} from './account-pages.js';
import type { SafeHtml } from '../../html.js';
import { ACCOUNT_PREFIX } from './page-headers.js';
import { STYLESHEET } from './stylesheet.js';

function render(ctx: Context, status: number, page: SafeHtml): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page.value;
}

/** A form field as a string; anything else (absent, repeated, a JSON object) reads as empty. */
function formField(ctx: Context, name: string): string {
  const value = requestBody(ctx)[name];
  return typeof value === 'string' ? value : '';
}

const FAILURE_PAGES: Record<number, [title: string, message: string]> = {
  400: ['We could not read this form', 'The form was sent in a way we do not understand. Please go back and try again.'],
  413: ['This form is too large', 'The form was too large to read. Please go back and try again.'],
  415: ['We could not read this form', 'The form was sent in a way we do not understand. Please go back and try again.'],
  429: ['Too many attempts', 'Please wait a moment before trying again.'],
  503: ['Please try again shortly', 'A service we depend on is not answering right now.'],
  500: ['Something went wrong', 'Something went wrong on our side. Please try again in a moment.'],
};

/**
 * People reading these pages get a page, never problem+json: a failure below (an unreadable form, a
 * rate limit, a database that is down, a bug) is rendered here with its status and headers kept.
 */
function renderFailures(logger: Logger): Middleware {
  return async function renderPageFailures(ctx, next) {
    let status: number;
    try {
      await next();
      if (ctx.status < 400 || ctx.response.is('html') || ctx.path === `${ACCOUNT_PREFIX}/style.css`) return;
      status = ctx.status; // answered by a middleware (a rate limiter) rather than thrown
    } catch (error) {
      if (error instanceof HttpProblem) {
        for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
        status = error.status;
      } else if (error instanceof RateLimited) {
        ctx.set('Retry-After', String(error.retryAfterSeconds));
        status = 429;
      } else if (error instanceof ServiceUnavailable) {
        logger.warn({ requestId: requestIdOf(ctx), err: error, service: error.service }, 'backing service unavailable');
        if (error.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(error.retryAfterSeconds));
        status = 503;
      } else {
        const thrown = (error as { status?: unknown; expose?: unknown }).status;
        if (typeof thrown === 'number' && thrown >= 400 && thrown < 500) {
          status = thrown;
        } else {
          logger.error({ requestId: requestIdOf(ctx), err: error, method: ctx.method, path: ctx.path }, 'unhandled error on an account page');
          status = 500;
        }
      }
    }
    const [title, message] = FAILURE_PAGES[status] ?? (status < 500 ? FAILURE_PAGES[400]! : FAILURE_PAGES[500]!);
    render(ctx, status, errorPage(title, message));
  };
}

/** The pages the links in emails open: server-rendered HTML forms, no script, no cookies. */
export function accountRoutes(useCases: UseCases, limits: RateLimiters, logger: Logger): Router {
  const router = new Router({ prefix: ACCOUNT_PREFIX });
  router.use(renderFailures(logger));

  router.get('/style.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  });

  router.get('/forgot-password', (ctx) => render(ctx, 200, forgotPasswordPage()));

  router.post('/forgot-password', limits.auth, parseBody({ form: true }), async (ctx) => {
    const email = formField(ctx, 'email');
    try {
      await useCases.requestPasswordReset({ email });
    } catch (error) {
      if (error instanceof ValidationFailed) return render(ctx, 422, forgotPasswordPage({ email, errors: error.errors }));
      throw error;
    }
    render(ctx, 200, checkInboxPage('reset'));
  });

  router.get('/reset-password', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    try {
      await useCases.checkResetToken(token);
    } catch (error) {
      if (error instanceof InvalidToken) return render(ctx, 400, invalidResetLinkPage());
      throw error;
    }
    render(ctx, 200, resetPasswordPage({ token }));
  });

  router.post('/reset-password', limits.auth, parseBody({ form: true }), async (ctx) => {
    const token = formField(ctx, 'token');
    const password = formField(ctx, 'password');
    try {
      await useCases.checkResetToken(token);
      if (password !== formField(ctx, 'passwordConfirm')) {
        const errors = [{ field: 'passwordConfirm', message: 'The two passwords do not match.' }];
        return render(ctx, 422, resetPasswordPage({ token, errors }));
      }
      await useCases.resetPassword({ token, password });
    } catch (error) {
      if (error instanceof InvalidToken) return render(ctx, 400, invalidResetLinkPage());
      if (error instanceof ValidationFailed) return render(ctx, 422, resetPasswordPage({ token, errors: error.errors }));
      throw error;
    }
    render(ctx, 200, passwordChangedPage());
  });

  router.get('/verify-email', async (ctx) => {
    try {
      await useCases.verifyEmail(ctx.query.token);
    } catch (error) {
      if (error instanceof InvalidToken) return render(ctx, 400, resendVerificationPage({ deadLink: true }));
      throw error;
    }
    render(ctx, 200, emailVerifiedPage());
  });

  router.get('/resend-verification', (ctx) => render(ctx, 200, resendVerificationPage()));

  router.post('/resend-verification', limits.auth, parseBody({ form: true }), async (ctx) => {
    const email = formField(ctx, 'email');
    try {
      await useCases.resendVerification({ email });
    } catch (error) {
      if (error instanceof ValidationFailed) return render(ctx, 422, resendVerificationPage({ email, errors: error.errors }));
      throw error;
    }
    render(ctx, 200, checkInboxPage('verify'));
  });

  // Opening the link changes nothing (mail scanners open links): the button below does.
  router.get('/confirm-email-change', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    let newEmail: string;
    try {
      ({ newEmail } = await useCases.checkEmailChangeToken(token));
    } catch (error) {
      if (error instanceof InvalidToken) return render(ctx, 400, invalidEmailChangeLinkPage());
      throw error;
    }
    render(ctx, 200, confirmEmailChangePage({ token, newEmail }));
  });

  router.post('/confirm-email-change', limits.auth, parseBody({ form: true }), async (ctx) => {
    let email: string;
    try {
      ({ email } = await useCases.confirmEmailChange(formField(ctx, 'token')));
    } catch (error) {
      if (error instanceof InvalidToken) return render(ctx, 400, invalidEmailChangeLinkPage());
      if (error instanceof EmailTaken) return render(ctx, 409, emailChangeTakenPage());
      throw error;
    }
    render(ctx, 200, emailChangedPage(email));
  });

  return router;
}
