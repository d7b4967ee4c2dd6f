import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../../../application/ports/logger.js';
import { ServiceUnavailable, ValidationFailed } from '../../../domain/errors.js';
import { EmailTaken, InvalidToken } from '../../../domain/user.errors.js';
import { problemFor } from '../error-statuses.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import { parseBody, requestBody } from '../middleware/body-parser.js';
import { requestIdOf } from '../middleware/request-log.js';
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

/** The page a route shows for a failure it expects (a refused field, a dead link); null for any other. */
type FailurePage = (error: unknown) => SafeHtml | null;

interface PageState {
  failurePage?: FailurePage;
}

/** Declares the page this request shows if what follows fails in a way the route expects. */
function onFailure(ctx: Context, page: FailurePage): void {
  (ctx.state as PageState).failurePage = page;
}

/**
 * People reading these pages get a page, never problem+json. A failure below gets the status and
 * headers the API would answer (error-statuses.ts) and the page its route declared for it with
 * onFailure, or else a generic page: an unreadable form, a rate limit, a database that is down, a bug.
 */
function renderFailures(logger: Logger): Middleware {
  return async function renderPageFailures(ctx, next) {
    let status: number;
    let page: SafeHtml | null = null;
    try {
      await next();
      if (ctx.status < 400 || ctx.response.is('html') || ctx.path === `${ACCOUNT_PREFIX}/style.css`) return;
      status = ctx.status; // answered by a middleware (a rate limiter) rather than thrown
    } catch (error) {
      const problem = problemFor(error);
      const thrown = (error as { status?: unknown } | null)?.status;
      if (problem) {
        for (const [name, value] of Object.entries(problem.headers ?? {})) ctx.set(name, value);
        status = problem.status;
        page = (ctx.state as PageState).failurePage?.(error) ?? null;
        if (error instanceof ServiceUnavailable)
          logger.warn({ requestId: requestIdOf(ctx), err: error, service: error.service }, 'backing service unavailable');
      } else if (typeof thrown === 'number' && thrown >= 400 && thrown < 500) {
        status = thrown;
      } else {
        logger.error({ requestId: requestIdOf(ctx), err: error, method: ctx.method, path: ctx.path }, 'unhandled error on an account page');
        status = 500;
      }
    }
    const [title, message] = FAILURE_PAGES[status] ?? (status < 500 ? FAILURE_PAGES[400]! : FAILURE_PAGES[500]!);
    render(ctx, status, page ?? errorPage(title, message));
  };
}

/** The pages the links in emails open: server-rendered HTML forms, no script, no cookies. */
export function accountRoutes(useCases: UseCases, limits: RateLimiters, logger: Logger): Router {
  const router = new Router({ prefix: ACCOUNT_PREFIX, sensitive: true });
  router.use(renderFailures(logger));

  router.get('/style.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  });

  router.get('/forgot-password', (ctx) => render(ctx, 200, forgotPasswordPage()));

  router.post('/forgot-password', limits.auth, parseBody({ form: true }), async (ctx) => {
    const email = formField(ctx, 'email');
    onFailure(ctx, (error) => (error instanceof ValidationFailed ? forgotPasswordPage({ email, errors: error.errors }) : null));
    await useCases.requestPasswordReset({ email });
    render(ctx, 200, checkInboxPage('reset'));
  });

  router.get('/reset-password', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    onFailure(ctx, (error) => (error instanceof InvalidToken ? invalidResetLinkPage() : null));
    await useCases.checkResetToken(token);
    render(ctx, 200, resetPasswordPage({ token }));
  });

  router.post('/reset-password', limits.auth, parseBody({ form: true }), async (ctx) => {
    const token = formField(ctx, 'token');
    const password = formField(ctx, 'password');
    onFailure(ctx, (error) => {
      if (error instanceof InvalidToken) return invalidResetLinkPage();
      if (error instanceof ValidationFailed) return resetPasswordPage({ token, errors: error.errors });
      return null;
    });
    await useCases.checkResetToken(token);
    if (password !== formField(ctx, 'passwordConfirm')) {
      throw new ValidationFailed([{ field: 'passwordConfirm', message: 'The two passwords do not match.' }]);
    }
    await useCases.resetPassword({ token, password });
    render(ctx, 200, passwordChangedPage());
  });

  router.get('/verify-email', async (ctx) => {
    onFailure(ctx, (error) => (error instanceof InvalidToken ? resendVerificationPage({ deadLink: true }) : null));
    await useCases.verifyEmail(ctx.query.token);
    render(ctx, 200, emailVerifiedPage());
  });

  router.get('/resend-verification', (ctx) => render(ctx, 200, resendVerificationPage()));

  router.post('/resend-verification', limits.auth, parseBody({ form: true }), async (ctx) => {
    const email = formField(ctx, 'email');
    onFailure(ctx, (error) => (error instanceof ValidationFailed ? resendVerificationPage({ email, errors: error.errors }) : null));
    await useCases.resendVerification({ email });
    render(ctx, 200, checkInboxPage('verify'));
  });

  // Opening the link changes nothing (mail scanners open links): the button below does.
  router.get('/confirm-email-change', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    onFailure(ctx, (error) => (error instanceof InvalidToken ? invalidEmailChangeLinkPage() : null));
    const { newEmail } = await useCases.checkEmailChangeToken(token);
    render(ctx, 200, confirmEmailChangePage({ token, newEmail }));
  });

  router.post('/confirm-email-change', limits.auth, parseBody({ form: true }), async (ctx) => {
    onFailure(ctx, (error) => {
      if (error instanceof InvalidToken) return invalidEmailChangeLinkPage();
      if (error instanceof EmailTaken) return emailChangeTakenPage();
      return null;
    });
    const { email } = await useCases.confirmEmailChange(formField(ctx, 'token'));
    render(ctx, 200, emailChangedPage(email));
  });

  return router;
}
