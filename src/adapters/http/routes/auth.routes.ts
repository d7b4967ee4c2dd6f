import Router from '@koa/router';
import { ValidationFailed } from '../../../domain/errors.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { AuthState } from '../middleware/require-auth.js';
import { implement, registerRoutes, route } from '../route.js';
import { Message } from '../schemas/common.js';
import {
  EmailRequest,
  LoginForm,
  LoginRequest,
  RefreshRequest,
  ResetPasswordRequest,
  SignupRequest,
  TokenPair,
  TokenRequest,
  UserEnvelope,
  VerifyEmailResponse,
} from '../schemas/users.js';
import { Type } from '@sinclair/typebox';
import type { UseCases } from '../../../application/use-cases.js';

const TokenQuery = Type.Object({ token: Type.String({ description: 'The one-time token from the verification link.' }) });

export const authRouteSpecs = {
  signUp: route({
    method: 'post',
    path: '/api/auth/signup',
    operationId: 'signUp',
    summary: 'Create an account and send the verification email',
    description: 'The account starts unverified: logging in is refused until the emailed link is opened. Limited per client IP.',
    tags: ['Auth'],
    auth: 'none',
    limits: ['auth'],
    body: { json: SignupRequest },
    responses: { 201: { description: 'The new, unverified user.', schema: UserEnvelope } },
    problems: [400, 409, 413, 415, 422, 429, 503],
  }),
  verifyEmail: route({
    method: 'get',
    path: '/api/auth/verify-email',
    operationId: 'verifyEmail',
    summary: 'Confirm an email address (idempotent)',
    description: 'Marks the address of the account the token was issued for as verified.',
    tags: ['Auth'],
    auth: 'none',
    query: TokenQuery,
    responses: { 200: { description: 'Confirmed (also on a second click).', schema: VerifyEmailResponse } },
    problems: [400, 503],
  }),
  resendVerification: route({
    method: 'post',
    path: '/api/auth/resend-verification',
    operationId: 'resendVerification',
    summary: 'Send a new verification email',
    description: 'Same answer whether or not the account exists or is verified; at most one email per address per minute.',
    tags: ['Auth'],
    auth: 'none',
    limits: ['auth'],
    body: { json: EmailRequest },
    responses: { 202: { description: 'Accepted.', schema: Message } },
    problems: [400, 413, 415, 422, 429, 503],
  }),
  logIn: route({
    method: 'post',
    path: '/api/auth/login',
    operationId: 'logIn',
    summary: 'Log in and receive a token pair',
    description:
      '401 alike for an unknown email and a wrong password; 403 only after a correct password. Too many failures for one email from one IP → 429 (see the rate limits: a stranger cannot lock the owner out). 503 with Retry-After when the password hashing queue is full.',
    tags: ['Auth'],
    auth: 'none',
    limits: ['auth'],
    // JSON { email, password }, or the OAuth2 password flow's form where `username` holds the email.
    body: { json: LoginRequest, form: LoginForm },
    responses: { 200: { description: 'Logged in.', schema: TokenPair } },
    problems: [400, 401, 403, 413, 415, 422, 429, 503],
  }),
  refreshSession: route({
    method: 'post',
    path: '/api/auth/refresh',
    operationId: 'refreshSession',
    summary: 'Exchange a refresh token for a new pair',
    description: 'A refresh token works once; replaying a used one answers 401 and revokes that session.',
    tags: ['Auth'],
    auth: 'none',
    body: { json: RefreshRequest },
    responses: { 200: { description: 'A new token pair.', schema: TokenPair } },
    problems: [400, 401, 413, 415, 422, 503],
  }),
  logOut: route({
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'logOut',
    summary: 'End the session (its access and refresh tokens stop working at once)',
    description: 'Revokes the calling session; the refresh token sent must be this session’s.',
    tags: ['Auth'],
    auth: 'bearer',
    body: { json: RefreshRequest },
    responses: { 204: { description: 'Logged out.' } },
    problems: [400, 401, 413, 415, 422, 503],
  }),
  forgotPassword: route({
    method: 'post',
    path: '/api/auth/forgot-password',
    operationId: 'forgotPassword',
    summary: 'Send a password reset email',
    description:
      'Same answer, in the same time, whether or not the account exists (the lookup and the email happen after the answer); at most one email per address per minute. 503 with Retry-After when the background queue is full.',
    tags: ['Auth'],
    auth: 'none',
    limits: ['auth'],
    body: { json: EmailRequest },
    responses: { 202: { description: 'Accepted.', schema: Message } },
    problems: [400, 413, 415, 422, 429, 503],
  }),
  resetPassword: route({
    method: 'post',
    path: '/api/auth/reset-password',
    operationId: 'resetPassword',
    summary: 'Set a new password with a reset token',
    description: 'The token is single-use; afterwards every existing token of the user is refused and a confirmation email is sent.',
    tags: ['Auth'],
    auth: 'none',
    limits: ['auth'],
    body: { json: ResetPasswordRequest },
    responses: { 204: { description: 'Password changed.' } },
    problems: [400, 413, 415, 422, 429, 503],
  }),
  confirmEmailChange: route({
    method: 'post',
    path: '/api/auth/confirm-email-change',
    operationId: 'confirmEmailChange',
    summary: 'Switch to the new email address with the emailed token',
    description:
      'The token is the proof (no Bearer). Single-use; a newer request makes older links invalid. The new address is verified, and a notice goes to the old one; ' +
      'every password-reset link issued before the switch stops working (they went to the old address). ' +
      'Limited per client IP like the other auth routes.',
    tags: ['Your account'],
    auth: 'none',
    limits: ['auth'],
    body: { json: TokenRequest },
    responses: { 200: { description: 'Switched.', schema: UserEnvelope } },
    problems: [400, 409, 413, 415, 422, 429, 503],
  }),
};

export function authRoutes(useCases: UseCases, limits: RateLimiters): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/auth', sensitive: true });
  const routes = implement<AuthState, typeof authRouteSpecs>(authRouteSpecs, {
    signUp: async (ctx, { body }) => {
      const user = await useCases.registerUser(body);
      ctx.status = 201;
      ctx.body = { user };
    },
    verifyEmail: async (ctx, { query }) => {
      const user = await useCases.verifyEmail(query.token);
      ctx.body = { message: 'Your email address is confirmed.', user };
    },
    resendVerification: async (ctx, { body }) => {
      await useCases.resendVerification(body);
      ctx.status = 202;
      ctx.body = { message: 'If an unverified account uses this email, a new confirmation link is on its way.' };
    },
    logIn: async (ctx, { body }) => {
      const isForm = Boolean(ctx.is('application/x-www-form-urlencoded'));
      try {
        const { userId: _userId, ...pair } = await useCases.logIn(
          { email: isForm ? body.username : body.email, password: body.password, clientIp: ctx.ip },
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
    },
    refreshSession: async (ctx, { body }) => {
      ctx.body = await useCases.refreshSession(body.refreshToken);
    },
    logOut: async (ctx, { body }) => {
      const { user, sessionId } = ctx.state.caller;
      await useCases.logOut({ userId: user.id, sessionId }, body.refreshToken);
      ctx.status = 204;
    },
    forgotPassword: async (ctx, { body }) => {
      await useCases.requestPasswordReset(body);
      ctx.status = 202;
      ctx.body = { message: 'If an account uses this email, a link to reset its password is on its way.' };
    },
    resetPassword: async (ctx, { body }) => {
      await useCases.resetPassword({ token: body.token, password: body.password });
      ctx.status = 204;
    },
    // The emailed token is the proof: no Bearer. Limited per IP like the other routes that take one.
    confirmEmailChange: async (ctx, { body }) => {
      ctx.body = { user: await useCases.confirmEmailChange(body.token) };
    },
  });
  return registerRoutes(router, routes, { authenticate: useCases.authenticate, limits });
}
