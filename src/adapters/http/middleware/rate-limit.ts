import ratelimit from 'koa-ratelimit';
import type { Context, Middleware } from 'koa';
import type { LimitDecision, UserLimit, UserRateLimiter } from '../../../application/ports/user-rate-limiter.js';
import { RateLimited, ServiceUnavailable } from '../../../domain/errors.js';
import type { RateLimitStore } from '../../rate-limit/rate-limit-store.js';
import { clientIpKey } from '../../rate-limit/throttle-key.js';
import type { Caller } from '../../../application/use-cases/authenticate.js';

export interface Limit {
  max: number;
  windowSeconds: number;
}

export interface RateLimitRule extends Limit {
  /** Names the counter, e.g. 'auth'; rules with the same name and key share one budget. */
  name: string;
  /** Whose budget a request spends (an IP, a user id); undefined is a wiring mistake. */
  key: (ctx: Context) => string | undefined;
}

/** Rate-limiting middleware for each family of routes; the composition root picks the store. */
export interface RateLimiters {
  /** Every /api/contacts route, per authenticated user (mounted after authentication). */
  contacts: Middleware;
  /** Creating a contact, per authenticated user, stricter. */
  contactCreate: Middleware;
  /**
   * Per client IP: the auth routes (signup, login, resend-verification, forgot- and reset-password,
   * confirm-email-change) and every account route that checks a password (mount it after requireAuth).
   */
  auth: Middleware;
  /** Costly account work, per authenticated user (avatar upload, export); count it in requireAuth too. */
  account: Middleware;
  /**
   * The per-user limits that `contacts`, `contactCreate` and `account` enforce, as data: routes hand
   * them to requireAuth, whose admission counts them, and those middlewares then only enforce the
   * decision. A name absent here is not limited; without `userLimits` the middlewares are someone
   * else's (a test's stand-ins): authentication counts nothing for them and only Koa runs them.
   */
  userLimits?: Partial<Record<UserLimitName, UserLimit>>;
}

/** The limits of RateLimiters, by the name a route declares them with. */
export type LimitName = 'contacts' | 'contactCreate' | 'auth' | 'account';

/** Those of them that limit per authenticated user. */
export type UserLimitName = Exclude<LimitName, 'auth'>;

const passThrough: Middleware = (_ctx, next) => next();
export const NO_RATE_LIMITS: RateLimiters = { contacts: passThrough, contactCreate: passThrough, auth: passThrough, account: passThrough, userLimits: {} };

const RESET = 'X-RateLimit-Reset';

/**
 * koa-ratelimit with the product's answers: X-RateLimit-* on every counted response, and on the
 * limit a RateLimited error, which the error handler turns into problem+json 429 with Retry-After.
 * A store that does not answer lets the request through (fail open; the store logs the outage).
 */
export function rateLimit(store: RateLimitStore, rule: RateLimitRule): Middleware {
  const limiter = ratelimit({
    driver: store.driver,
    db: store.db as never,
    namespace: `${store.keyPrefix}rate:${rule.name}`,
    duration: rule.windowSeconds * 1000,
    max: rule.max,
    id: (ctx) => rule.key(ctx) ?? false,
  });

  return async function limitRate(ctx, next) {
    if (!rule.key(ctx)) throw new Error(`the "${rule.name}" rate limit has no key for ${ctx.method} ${ctx.path}`);
    let admitted = false;
    try {
      await limiter(ctx, async () => {
        admitted = true;
        wholeSecondReset(ctx);
        await next();
      });
    } catch (error) {
      if (admitted || !(error instanceof ServiceUnavailable)) throw error;
      await next();
      return;
    }
    if (!admitted) {
      const reset = wholeSecondReset(ctx);
      throw new RateLimited(Math.max(1, Math.ceil(reset - Date.now() / 1000)));
    }
  };
}

/**
 * The memory driver reports the reset with microseconds; clients get whole epoch seconds. Returns
 * the exact value, from which the wait is counted.
 */
function wholeSecondReset(ctx: Context): number {
  const reset = Number(ctx.response.get(RESET));
  ctx.set(RESET, String(Math.ceil(reset)));
  return reset;
}

/**
 * The per-user limits among `names` that `limiters` declares, for requireAuth: the request is
 * counted against them while it is admitted (one round trip with the session check). Per-IP limits
 * (auth) are not among them: they run as plain middleware.
 */
export function userLimitsOf(limiters: RateLimiters, names: readonly LimitName[]): UserLimit[] {
  return names.flatMap((name) => (name === 'auth' ? [] : (limiters.userLimits?.[name] ?? [])));
}

/**
 * The decision on the caller's request for `limit`: the one admission took while authenticating it,
 * else (the route did not hand the limit to requireAuth) the limiter's; null when it was not
 * counted (fail open: the store did not answer).
 */
export async function decisionFor(limiter: UserRateLimiter, caller: Caller, limit: UserLimit): Promise<LimitDecision | null> {
  if (caller.decisions?.has(limit.name)) return caller.decisions.get(limit.name) ?? null;
  return (await limiter.take(caller.user.id, [limit]))?.[0] ?? null;
}

/**
 * A per-user limit, mounted after authentication, with the same answers as `rateLimit`. The request
 * is counted already when the route handed the limit to requireAuth (userLimitsOf), and the
 * decision is in `caller.decisions`; otherwise it is counted here. A limiter that does not answer
 * lets the request through without headers (fail open; the store logs it).
 */
export function userRateLimit(limiter: UserRateLimiter, limit: UserLimit): Middleware {
  return async function limitUser(ctx, next) {
    const caller = (ctx.state as { caller?: Caller }).caller;
    if (!caller?.user.id) throw new Error(`the "${limit.name}" rate limit has no user for ${ctx.method} ${ctx.path}`);
    const decision = await decisionFor(limiter, caller, limit);
    if (!decision) return next();
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) ctx.set(name, value);
    const refusal = refusalOf(decision);
    if (refusal) throw refusal;
    return next();
  };
}

/** The error a per-user limit's decision refuses the request with; null when it allows it. */
export function refusalOf(decision: LimitDecision): RateLimited | null {
  return decision.allowed ? null : new RateLimited(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
}

/** The X-RateLimit-* headers of a per-user limit's decision. */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    [RESET]: String(Math.ceil(decision.resetAtMs / 1000)),
  };
}

/**
 * The limits of the API: per user on contacts and costly account work (after authentication; GCRA
 * budgets, see docs/decisions/per-user-rate-limit-gcra.md), per client IP on auth routes
 * (koa-ratelimit), an IPv6 client counted by its /64.
 */
export function createRateLimiters(
  store: RateLimitStore,
  userLimiter: UserRateLimiter,
  limits: { contacts: Limit; contactCreate: Limit; auth: Limit; account: Limit },
): RateLimiters {
  const byClientIp = (ctx: Context) => clientIpKey(ctx.ip || 'unknown');
  const userLimits: Record<UserLimitName, UserLimit> = {
    contacts: { name: 'contacts', ...limits.contacts },
    contactCreate: { name: 'contact-create', ...limits.contactCreate },
    account: { name: 'account', ...limits.account },
  };
  return {
    contacts: userRateLimit(userLimiter, userLimits.contacts),
    contactCreate: userRateLimit(userLimiter, userLimits.contactCreate),
    auth: rateLimit(store, { name: 'auth', ...limits.auth, key: byClientIp }),
    account: userRateLimit(userLimiter, userLimits.account),
    userLimits,
  };
}
