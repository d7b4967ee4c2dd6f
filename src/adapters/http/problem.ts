import { STATUS_CODES } from 'node:http';
import type { Context } from 'koa';
import type { FieldError } from '../../domain/errors.js';

/** A failure of the HTTP exchange itself (bad body, unknown route), not of the product's rules. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem+json answer: its own headers (not Content-Type) and its body. */
export function problemResponse(problem: Problem): { headers: Record<string, string>; body: object } {
  const headers = problem.status === 401 ? { ...problem.headers, 'WWW-Authenticate': 'Bearer' } : (problem.headers ?? {});
  return {
    headers,
    body: {
      type: 'about:blank',
      title: STATUS_CODES[problem.status] ?? 'Error',
      status: problem.status,
      code: problem.code,
      detail: problem.detail,
      ...(problem.errors ? { errors: problem.errors } : {}),
    },
  };
}

/** Writes an RFC 9457 problem+json response. */
export function sendProblem(ctx: Context, problem: Problem): void {
  const { headers, body } = problemResponse(problem);
  for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  ctx.status = problem.status;
  ctx.type = PROBLEM_CONTENT_TYPE;
  ctx.body = body;
}
