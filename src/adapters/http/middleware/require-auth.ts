import type { Middleware } from 'koa';
import type { UserLimit } from '../../../application/ports/user-rate-limiter.js';
import type { Caller } from '../../../application/use-cases/authenticate.js';
import { Unauthenticated } from '../../../domain/user.errors.js';

export interface AuthState {
  caller: Caller;
}

/** The Authorization header's form; the token itself is checked by `authenticate`. */
export const BEARER = /^Bearer ([A-Za-z0-9\-_.]+)$/;

/**
 * Only the Authorization header is read: a token in the query string would end up in logs.
 * `limits`: the route's per-user limits (RateLimiters.userLimits, see userLimitsOf), handed to
 * authentication, whose admission counts the request against them in the same step as the
 * session check; the decisions are in `ctx.state.caller.decisions` for the limits' middlewares.
 */
export function requireAuth(
  authenticate: (token: string, limits?: readonly UserLimit[]) => Promise<Caller>,
  limits: readonly UserLimit[] = [],
): Middleware<AuthState> {
  return async function authenticateRequest(ctx, next) {
    const match = BEARER.exec(ctx.get('Authorization'));
    if (!match) throw new Unauthenticated();
    ctx.state.caller = await authenticate(match[1]!, limits);
    await next();
  };
}
