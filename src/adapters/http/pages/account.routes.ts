import Router from '@koa/router';
import { Type } from '@sinclair/typebox';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../../../application/ports/logger.js';
import { ServiceUnavailable, ValidationFailed } from '../../../domain/errors.js';
import { EmailTaken, InvalidToken } from '../../../domain/user.errors.js';
import { problemFor } from '../error-statuses.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import { requestBody } from '../middleware/body-parser.js';
import { requestIdOf } from '../middleware/request-log.js';
import { implement, registerRoutes, type ResponseSpec, route } from '../route.js';
import type { UseCases } from '../../../application/use-cases.js';
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

const tokenQuery = (purpose: string) => Type.Object({ token: Type.String({ description: `The one-time token from the ${purpose} link.` }) });
const EmailForm = Type.Object({ email: Type.String({ format: 'email' }) });
const html = (description: string): ResponseSpec => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

const PAGE_FAILURES: Record<number, string> = {
  400: 'The form could not be read (malformed, or not decodable as its Content-Encoding says).',
  413: 'The form is too large.',
  415: 'The form was sent in another content type, charset or Content-Encoding.',
  429: 'Too many attempts from this client; `Retry-After` says when to come back.',
  503: 'A backing service does not answer; try again shortly.',
};
/** What a page answers when it cannot do its work: a page with the status, never problem+json. */
const pageFailures = (...statuses: number[]): Record<number, ResponseSpec> =>
  Object.fromEntries(statuses.map((status) => [status, html(PAGE_FAILURES[status]!)]));
/** The failures of a page form's POST: its body is read like the API's. */
const formFailures = (...extra: number[]) => pageFailures(400, 413, 415, ...extra, 503);

/** The pages the links in emails open: server-rendered HTML forms, no script, no cookies. */
export const accountRouteSpecs = {
  forgotPasswordPage: route({
    method: 'get',
    path: `${ACCOUNT_PREFIX}/forgot-password`,
    operationId: 'forgotPasswordPage',
    summary: 'Form asking for the email',
    description: 'Where the login page sends a user who forgot the password.',
    tags: ['Pages'],
    auth: 'none',
    responses: { 200: html('The form.') },
  }),
  forgotPasswordSubmit: route({
    method: 'post',
    path: `${ACCOUNT_PREFIX}/forgot-password`,
    operationId: 'forgotPasswordSubmit',
    summary: 'Send the reset email; always shows "check your inbox"',
    description: 'Whether or not an account uses the address, as the API route does. Limited per client IP.',
    tags: ['Pages'],
    auth: 'none',
    limits: ['auth'],
    body: { form: EmailForm },
    responses: { 200: html('Check your inbox.'), 422: html('The form again, with the error (a malformed address).'), ...formFailures(429) },
  }),
  resetPasswordPage: route({
    method: 'get',
    path: `${ACCOUNT_PREFIX}/reset-password`,
    operationId: 'resetPasswordPage',
    summary: 'The reset link: a form for a new password (does not consume the token)',
    description: 'Checks the token and shows the form; the token is spent only when the form is sent.',
    tags: ['Pages'],
    auth: 'none',
    query: tokenQuery('reset'),
    responses: { 200: html('The form.'), 400: html('Invalid or expired link, with a way to get a new one.'), ...pageFailures(503) },
  }),
  resetPasswordSubmit: route({
    method: 'post',
    path: `${ACCOUNT_PREFIX}/reset-password`,
    operationId: 'resetPasswordSubmit',
    summary: 'Set the new password',
    description: 'The two passwords must match and pass the password policy. Limited per client IP.',
    tags: ['Pages'],
    auth: 'none',
    limits: ['auth'],
    body: {
      form: Type.Object({ token: Type.String(), password: Type.String({ format: 'password' }), passwordConfirm: Type.String({ format: 'password' }) }),
    },
    responses: {
      200: html('Password changed.'),
      ...formFailures(429),
      400: html('Invalid or expired link (with a way to get a new one), or a form that could not be read.'),
      422: html('The form again, with the error (the passwords differ, or the policy refuses the password).'),
    },
  }),
  verifyEmailPage: route({
    method: 'get',
    path: `${ACCOUNT_PREFIX}/verify-email`,
    operationId: 'verifyEmailPage',
    summary: 'The verification link: confirms the email and says so',
    description: 'Idempotent: a second click confirms again. A dead link offers to send a new one.',
    tags: ['Pages'],
    auth: 'none',
    query: tokenQuery('verification'),
    responses: { 200: html('Confirmed.'), 400: html('Invalid or expired link, with a way to get a new one.'), ...pageFailures(503) },
  }),
  resendVerificationPage: route({
    method: 'get',
    path: `${ACCOUNT_PREFIX}/resend-verification`,
    operationId: 'resendVerificationPage',
    summary: 'Form asking for the email to send a new confirmation link to',
    description: 'Where a dead verification link leads.',
    tags: ['Pages'],
    auth: 'none',
    responses: { 200: html('The form.') },
  }),
  resendVerificationSubmit: route({
    method: 'post',
    path: `${ACCOUNT_PREFIX}/resend-verification`,
    operationId: 'resendVerificationSubmit',
    summary: 'Send a new confirmation link; always shows "check your inbox"',
    description: 'Whether or not an unverified account uses the address, as the API route does. Limited per client IP.',
    tags: ['Pages'],
    auth: 'none',
    limits: ['auth'],
    body: { form: EmailForm },
    responses: { 200: html('Check your inbox.'), 422: html('The form again, with the error (a malformed address).'), ...formFailures(429) },
  }),
  // Opening the link changes nothing (mail scanners open links): the button on the page does.
  confirmEmailChangePage: route({
    method: 'get',
    path: `${ACCOUNT_PREFIX}/confirm-email-change`,
    operationId: 'confirmEmailChangePage',
    summary: 'Shows the new address and a "Confirm" button; does not use the link',
    description: 'Mail scanners open links: only the button changes the address.',
    tags: ['Pages'],
    auth: 'none',
    query: tokenQuery('email change'),
    responses: {
      200: html('The confirmation page.'),
      400: html('Invalid, used, replaced or expired link.'),
      503: html('A backing service is down.'),
    },
  }),
  confirmEmailChangeForm: route({
    method: 'post',
    path: `${ACCOUNT_PREFIX}/confirm-email-change`,
    operationId: 'confirmEmailChangeForm',
    summary: 'Switches the email address (form post of `token`)',
    description: 'The button of the confirmation page. Limited per client IP.',
    tags: ['Pages'],
    auth: 'none',
    limits: ['auth'],
    body: { form: Type.Object({ token: Type.String() }) },
    responses: {
      200: html('Changed.'),
      400: html('Invalid, used, replaced or expired link (or an unreadable form).'),
      409: html('Another account took the address meanwhile; nothing changed.'),
      413: html('The form is too large.'),
      415: html('Not a form.'),
      429: html('Too many attempts from this client.'),
      503: html('A backing service is down.'),
    },
  }),
};

export function accountRoutes(useCases: UseCases, limits: RateLimiters, logger: Logger): Router {
  const router = new Router({ prefix: ACCOUNT_PREFIX, sensitive: true });
  router.use(renderFailures(logger));

  // The pages' stylesheet: not an API route, so not in the OpenAPI document.
  router.get('/style.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  });

  const routes = implement<unknown, typeof accountRouteSpecs>(accountRouteSpecs, {
    forgotPasswordPage: (ctx) => render(ctx, 200, forgotPasswordPage()),
    forgotPasswordSubmit: async (ctx) => {
      const email = formField(ctx, 'email');
      onFailure(ctx, (error) => (error instanceof ValidationFailed ? forgotPasswordPage({ email, errors: error.errors }) : null));
      await useCases.requestPasswordReset({ email });
      render(ctx, 200, checkInboxPage('reset'));
    },
    resetPasswordPage: async (ctx, { query }) => {
      const token = typeof query.token === 'string' ? query.token : '';
      onFailure(ctx, (error) => (error instanceof InvalidToken ? invalidResetLinkPage() : null));
      await useCases.checkResetToken(token);
      render(ctx, 200, resetPasswordPage({ token }));
    },
    resetPasswordSubmit: async (ctx) => {
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
    },
    verifyEmailPage: async (ctx, { query }) => {
      onFailure(ctx, (error) => (error instanceof InvalidToken ? resendVerificationPage({ deadLink: true }) : null));
      await useCases.verifyEmail(query.token);
      render(ctx, 200, emailVerifiedPage());
    },
    resendVerificationPage: (ctx) => render(ctx, 200, resendVerificationPage()),
    resendVerificationSubmit: async (ctx) => {
      const email = formField(ctx, 'email');
      onFailure(ctx, (error) => (error instanceof ValidationFailed ? resendVerificationPage({ email, errors: error.errors }) : null));
      await useCases.resendVerification({ email });
      render(ctx, 200, checkInboxPage('verify'));
    },
    confirmEmailChangePage: async (ctx, { query }) => {
      const token = typeof query.token === 'string' ? query.token : '';
      onFailure(ctx, (error) => (error instanceof InvalidToken ? invalidEmailChangeLinkPage() : null));
      const { newEmail } = await useCases.checkEmailChangeToken(token);
      render(ctx, 200, confirmEmailChangePage({ token, newEmail }));
    },
    confirmEmailChangeForm: async (ctx) => {
      onFailure(ctx, (error) => {
        if (error instanceof InvalidToken) return invalidEmailChangeLinkPage();
        if (error instanceof EmailTaken) return emailChangeTakenPage();
        return null;
      });
      const { email } = await useCases.confirmEmailChange(formField(ctx, 'token'));
      render(ctx, 200, emailChangedPage(email));
    },
  });
  return registerRoutes(router, routes, { authenticate: useCases.authenticate, limits });
}
