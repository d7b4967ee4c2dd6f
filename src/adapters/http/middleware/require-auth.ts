import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import type { UserLimit } from '../../../application/ports/user-rate-limiter.js';
import type { Caller } from '../../../application/use-cases/authenticate.js';
import { Unauthenticated } from '../../../domain/user.errors.js';

export interface AuthState {
  caller: Caller;
}

/** The Authorization header's form; the token itself is checked by `authenticate`. */
export const BEARER = /^Bearer ([A-Za-z0-9\-_.]+)$/;

/** What authenticating a request came to: the caller, or the error that refused it. */
export type AuthenticationOutcome = { caller: Caller } | { error: unknown };

const HANDED_OVER = Symbol('authentication handed over');

/**
 * Leaves `outcome` on the request for requireAuth: the hot path (hot-reads.ts) authenticated it,
 * which counted it against the route's limits, before handing it to the Koa app. Authenticating it
 * again would count it twice.
 */
export function handOverAuthentication(req: IncomingMessage, outcome: AuthenticationOutcome): void {
  (req as IncomingMessage & { [HANDED_OVER]?: AuthenticationOutcome })[HANDED_OVER] = outcome;
}

function handedOver(req: IncomingMessage): AuthenticationOutcome | undefined {
  return (req as IncomingMessage & { [HANDED_OVER]?: AuthenticationOutcome })[HANDED_OVER];
}

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
    const outcome = handedOver(ctx.req);
    if (outcome && 'error' in outcome) throw outcome.error;
    ctx.state.caller = outcome ? outcome.caller : await authenticate(match[1]!, limits);
    await next();
  };
}
