import type { Middleware } from 'koa';
import type { Caller } from '../../../application/use-cases/authenticate.js';
import { Unauthenticated } from '../../../domain/user.errors.js';

export interface AuthState {
  caller: Caller;
}

/** Only the Authorization header is read: a token in the query string would end up in logs. */
export function requireAuth(authenticate: (token: string) => Promise<Caller>): Middleware<AuthState> {
  return async function authenticateRequest(ctx, next) {
    const match = /^Bearer ([A-Za-z0-9\-_.]+)$/.exec(ctx.get('Authorization'));
    if (!match) throw new Unauthenticated();
    ctx.state.caller = await authenticate(match[1]!);
    await next();
  };
}
