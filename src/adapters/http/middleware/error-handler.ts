import type { Middleware } from 'koa';
import type { Logger } from '../../../application/ports/logger.js';
import { DomainError, ServiceUnavailable } from '../../../domain/errors.js';
import { GENERIC_HTTP, problemFor } from '../error-statuses.js';
import { HttpProblem, sendProblem } from '../problem.js';
import { requestIdOf } from './request-log.js';

/** Recognises an infrastructure failure (a database connection error) as the domain error it means; null otherwise. */
export type ErrorTranslator = (error: unknown) => DomainError | null;

/** Every failure below becomes problem+json, with its status from the one table (error-statuses.ts). */
export function errorHandler(logger: Logger, translate: ErrorTranslator = () => null): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HttpProblem(404, 'NOT_FOUND', GENERIC_HTTP[404].detail);
    } catch (caught) {
      const requestId = requestIdOf(ctx);
      const error = caught instanceof DomainError || caught instanceof HttpProblem ? caught : (translate(caught) ?? caught);
      const problem = problemFor(error);
      if (!problem) {
        logger.error({ requestId, err: error, method: ctx.method, path: ctx.path }, 'unhandled error');
        sendProblem(ctx, { status: 500, code: 'INTERNAL_ERROR', detail: 'Something went wrong on our side.' });
        return;
      }
      if (error instanceof ServiceUnavailable) logger.warn({ requestId, err: caught, service: error.service }, 'backing service unavailable');
      else if (error instanceof DomainError && (problem.status === 502 || problem.status === 504)) {
        logger.warn({ requestId, code: error.code, method: ctx.method, path: ctx.path }, 'upstream service failed');
      }
      sendProblem(ctx, problem);
    }
  };
}
