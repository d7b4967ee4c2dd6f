/**
 * A per-user request budget: at most `max` requests per `windowSeconds`, refilled continuously
 * (one request every windowSeconds / max), so a burst of `max` is allowed and then the steady rate.
 */
export interface UserLimit {
  /** Names the budget, e.g. 'contacts'; the same name and user share one budget on every instance. */
  readonly name: string;
  readonly max: number;
  readonly windowSeconds: number;
}

/** What counting one request against one limit decided. */
export interface LimitDecision {
  name: string;
  allowed: boolean;
  limit: number;
  /** Requests still allowed right now, after this one. */
  remaining: number;
  /** When the whole budget is available again (epoch ms). */
  resetAtMs: number;
  /** On a refusal, how long until one more request is allowed (ms); 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Counts requests per user against limits, in one atomic step per request: the limits are taken in
 * order and the first refusal stops the count (a refused request spends nothing from later limits).
 * One key per user per limit, holding one number, whatever the limit. Resolves null when the store
 * does not answer (fail open: the caller lets the request through uncounted).
 */
export interface UserRateLimiter {
  take(userId: string, limits: readonly UserLimit[]): Promise<LimitDecision[] | null>;
}
