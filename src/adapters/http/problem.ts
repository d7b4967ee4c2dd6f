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

/** Writes an RFC 9457 problem+json response. */
export function sendProblem(ctx: Context, problem: Problem): void {
  for (const [name, value] of Object.entries(problem.headers ?? {})) ctx.set(name, value);
  if (problem.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = {
    type: 'about:blank',
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}
