import type { Middleware } from 'koa';
import type { UserLimit } from '../../../application/ports/user-rate-limiter.js';
import type { Caller } from '../../../application/use-cases/authenticate.js';
import { Unauthenticated } from '../../../domain/user.errors.js';

export interface AuthState {
  caller: Caller;
}

/**
 * Only the Authorization header is read: a token in the query string would end up in logs.
 * `countFor`: the route's per-user limit middlewares; their limits are handed to authentication,
 * so that the user cache can count the request while it reads the session (one Redis round trip).
 * Plain middlewares among them are ignored.
 */
export function requireAuth(
  authenticate: (token: string, countAgainst?: readonly UserLimit[]) => Promise<Caller>,
  countFor: readonly Middleware[] = [],
): Middleware<AuthState> {
  const limits = countFor.flatMap((m) => ('limit' in m ? [(m as { limit: UserLimit }).limit] : []));
  return async function authenticateRequest(ctx, next) {
    const match = /^Bearer ([A-Za-z0-9\-_.]+)$/.exec(ctx.get('Authorization'));
    if (!match) throw new Unauthenticated();
    ctx.state.caller = await authenticate(match[1]!, limits);
    await next();
  };
}
