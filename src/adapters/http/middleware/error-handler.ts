import type { Middleware } from 'koa';
import type { Logger } from '../../../application/ports/logger.js';
import { AvatarStorageFailed, AvatarStorageTimeout, UnsupportedImage } from '../../../domain/avatar.errors.js';
import { ContactEmailTaken } from '../../../domain/contact.errors.js';
import { DomainError, NotFound, RateLimited, ServiceUnavailable, ValidationFailed } from '../../../domain/errors.js';
import {
  EmailNotVerified,
  EmailTaken,
  InvalidCredentials,
  InvalidRefreshToken,
  InvalidToken,
  Unauthenticated,
} from '../../../domain/user.errors.js';
import { HttpProblem, sendProblem } from '../problem.js';
import { requestIdOf } from './request-log.js';

type ErrorClass = abstract new (...args: never[]) => DomainError;

/** The one place where the product's errors become HTTP statuses. */
const STATUS_BY_ERROR: ReadonlyArray<readonly [ErrorClass, number]> = [
  [ValidationFailed, 422],
  [InvalidToken, 400],
  [InvalidCredentials, 401],
  [InvalidRefreshToken, 401],
  [Unauthenticated, 401],
  [EmailNotVerified, 403],
  [NotFound, 404],
  [EmailTaken, 409],
  [ContactEmailTaken, 409],
  [UnsupportedImage, 415],
  [RateLimited, 429],
  [AvatarStorageFailed, 502],
  [ServiceUnavailable, 503],
  [AvatarStorageTimeout, 504],
];

// Client errors raised by Koa, the router and body parsers carry a status; their messages are never shown.
const GENERIC_HTTP: Record<number, { code: string; detail: string }> = {
  400: { code: 'MALFORMED_BODY', detail: 'The request body could not be parsed.' },
  404: { code: 'NOT_FOUND', detail: 'There is nothing at this address.' },
  405: { code: 'METHOD_NOT_ALLOWED', detail: 'This method is not allowed here.' },
  413: { code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is too large.' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'The request body has an unsupported content type.' },
  501: { code: 'NOT_IMPLEMENTED', detail: 'This method is not implemented.' },
};

/** A 429 says when to come back, and no cache may keep it. */
function rateLimitedHeaders(error: RateLimited): Record<string, string> {
  return { 'Retry-After': String(error.retryAfterSeconds), 'Cache-Control': 'no-store' };
}

/** Recognises an infrastructure failure (a database connection error) as the domain error it means; null otherwise. */
export type ErrorTranslator = (error: unknown) => DomainError | null;

export function errorHandler(logger: Logger, translate: ErrorTranslator = () => null): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HttpProblem(404, 'NOT_FOUND', GENERIC_HTTP[404]!.detail);
    } catch (caught) {
      const requestId = requestIdOf(ctx);
      const error = caught instanceof DomainError || caught instanceof HttpProblem ? caught : (translate(caught) ?? caught);
      if (error instanceof HttpProblem) {
        sendProblem(ctx, error);
        return;
      }
      if (error instanceof DomainError) {
        const status = STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1];
        if (status !== undefined) {
          if (status === 503) logger.warn({ requestId, err: caught, service: (error as ServiceUnavailable).service }, 'backing service unavailable');
          if (status === 502 || status === 504) logger.warn({ requestId, code: error.code, method: ctx.method, path: ctx.path }, 'upstream service failed');
          sendProblem(ctx, {
            status,
            code: error.code,
            detail: error.message,
            ...(error instanceof ValidationFailed ? { errors: error.errors } : {}),
            ...(error instanceof RateLimited ? { headers: rateLimitedHeaders(error) } : {}),
          });
          return;
        }
      }
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && GENERIC_HTTP[status]) {
        sendProblem(ctx, { status, ...GENERIC_HTTP[status]! });
        return;
      }
      logger.error({ requestId, err: error, method: ctx.method, path: ctx.path }, 'unhandled error');
      sendProblem(ctx, { status: 500, code: 'INTERNAL_ERROR', detail: 'Something went wrong on our side.' });
    }
  };
}
