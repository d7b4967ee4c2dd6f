import type { Middleware } from 'koa';
import type { Logger } from '../../../application/ports/logger.js';
import { DomainError, ServiceUnavailable } from '../../../domain/errors.js';
import { GENERIC_HTTP, problemFor } from '../error-statuses.js';
import { HttpProblem, type Problem, sendProblem } from '../problem.js';
import { requestIdOf } from './request-log.js';

/** Recognises an infrastructure failure (a database connection error) as the domain error it means; null otherwise. */
export type ErrorTranslator = (error: unknown) => DomainError | null;

/** The request a failure happened on, as the logs name it. */
export interface FailedRequest {
  requestId: string | undefined;
  method: string;
  path: string;
}

/**
 * What a failure is answered with, by the one table (error-statuses.ts), and the log line it is
 * worth: anything the table does not know is a bug, logged, and a 500.
 */
export function problemOfFailure(caught: unknown, logger: Logger, translate: ErrorTranslator, request: FailedRequest): Problem {
  const { requestId, method, path } = request;
  const error = caught instanceof DomainError || caught instanceof HttpProblem ? caught : (translate(caught) ?? caught);
  const problem = problemFor(error);
  if (!problem) {
    logger.error({ requestId, err: error, method, path }, 'unhandled error');
    return { status: 500, code: 'INTERNAL_ERROR', detail: 'Something went wrong on our side.' };
  }
  if (error instanceof ServiceUnavailable) logger.warn({ requestId, err: caught, service: error.service }, 'backing service unavailable');
  else if (error instanceof DomainError && (problem.status === 502 || problem.status === 504)) {
    logger.warn({ requestId, code: error.code, method, path }, 'upstream service failed');
  }
  return problem;
}

/** Every failure below becomes problem+json (problemOfFailure). */
export function errorHandler(logger: Logger, translate: ErrorTranslator = () => null): Middleware {
  return async function handleErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HttpProblem(404, 'NOT_FOUND', GENERIC_HTTP[404].detail);
    } catch (caught) {
      sendProblem(ctx, problemOfFailure(caught, logger, translate, { requestId: requestIdOf(ctx), method: ctx.method, path: ctx.path }));
    }
  };
}
