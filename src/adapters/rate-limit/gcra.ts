import type { LimitDecision, UserLimit } from '../../application/ports/user-rate-limiter.js';

/**
 * The generic cell rate algorithm: a budget is one number per key, the "theoretical arrival time"
 * (TAT, epoch ms) at which the budget would be whole again. A request costs `interval` = window / max;
 * it is allowed while the TAT it would leave is at most one window ahead of now. So `max` requests
 * may come at once, then one every `interval`: memory and work per request stay constant however
 * large the limit (a sliding log keeps one entry per request). `gcraStep` is the arithmetic;
 * GCRA_LUA is the same in Redis, kept in step by the limiter contract tests.
 */
export function gcraStep(storedTat: number | null, nowMs: number, limit: UserLimit): { decision: LimitDecision; tat: number | null } {
  const windowMs = limit.windowSeconds * 1000;
  const interval = windowMs / limit.max;
  const tat = Math.max(storedTat ?? nowMs, nowMs);
  const next = tat + interval;
  if (next - nowMs > windowMs) {
    return {
      decision: {
        name: limit.name,
        allowed: false,
        limit: limit.max,
        remaining: 0,
        resetAtMs: Math.ceil(tat),
        retryAfterMs: Math.ceil(next - windowMs - nowMs),
      },
      tat: null,
    };
  }
  return {
    decision: {
      name: limit.name,
      allowed: true,
      limit: limit.max,
      remaining: Math.floor((windowMs - (next - nowMs)) / interval + 1e-9),
      resetAtMs: Math.ceil(next),
      retryAfterMs: 0,
    },
    tat: next,
  };
}

/**
 * Lua for Redis: `take(key, now, interval, window, max)` counts one request and returns
 * {allowed (1/0), remaining, resetAtMs, retryAfterMs}. The TAT is stored with three decimals and
 * expires when it is in the past (an absent key is a whole budget). `take_all(reply, firstKey,
 * firstArg, now)` takes from KEYS[firstKey..] with interval and window pairs from ARGV[firstArg..],
 * appends each result to `reply` and stops at the first refusal.
 */
export const GCRA_LUA = `
local function take(key, now, interval, window)
  local tat = tonumber(redis.call('GET', key))
  if tat == nil or tat < now then tat = now end
  local nxt = tat + interval
  if nxt - now > window then
    return 0, 0, math.ceil(tat), math.ceil(nxt - window - now)
  end
  redis.call('SET', key, string.format('%.3f', nxt), 'PX', math.max(1, math.ceil(nxt - now)))
  return 1, math.floor((window - (nxt - now)) / interval + 1e-9), math.ceil(nxt), 0
end

local function take_all(reply, first_key, first_arg, now)
  for i = first_key, #KEYS do
    local a = first_arg + 2 * (i - first_key)
    local allowed, remaining, reset, wait = take(KEYS[i], now, tonumber(ARGV[a]), tonumber(ARGV[a + 1]))
    reply[#reply + 1] = allowed
    reply[#reply + 1] = remaining
    reply[#reply + 1] = reset
    reply[#reply + 1] = wait
    if allowed == 0 then break end
  end
  return reply
end
`;

/** The Redis key of one user's budget under one limit. */
export function userLimitKey(keyPrefix: string, limitName: string, userId: string): string {
  return `${keyPrefix}rate:${limitName}:user:${userId}`;
}

const argumentsOf = new WeakMap<UserLimit, readonly [string, string]>();

/**
 * The ARGV a script passes `take` for each limit: interval and window, in ms. Each limit's pair is
 * worked out once, the first time it is counted against (limits are made once, at start).
 */
export function limitArguments(limits: readonly UserLimit[]): string[] {
  const args: string[] = [];
  for (const limit of limits) {
    let pair = argumentsOf.get(limit);
    if (!pair) {
      pair = [String((limit.windowSeconds * 1000) / limit.max), String(limit.windowSeconds * 1000)];
      argumentsOf.set(limit, pair);
    }
    args.push(pair[0], pair[1]);
  }
  return args;
}

/** Reads the flat reply of `take` calls (four numbers each) back into decisions. */
export function readDecisions(limits: readonly UserLimit[], flat: readonly unknown[]): LimitDecision[] {
  const decisions: LimitDecision[] = [];
  for (let i = 0; i < limits.length && i * 4 + 3 < flat.length; i++) {
    const limit = limits[i]!;
    const [allowed, remaining, resetAtMs, retryAfterMs] = flat.slice(i * 4, i * 4 + 4).map(Number) as [number, number, number, number];
    decisions.push({ name: limit.name, allowed: allowed === 1, limit: limit.max, remaining, resetAtMs, retryAfterMs });
    if (allowed !== 1) break;
  }
  return decisions;
}
