export interface LoginThrottleLimits {
  /** Failures allowed per key within a window. */
  max: number;
  windowSeconds: number;
}

/** The outcome of `LoginThrottle.begin`. */
export type LoginAttempt = { allowed: true; id: string } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts failed logins per email (normalised) over a sliding window, whatever the client's IP.
 * An attempt is counted before its password is checked, so concurrent guesses cannot slip past the
 * limit, and taken back by `succeeded` when the password was right: only failures stay counted, and
 * a success never clears the failures already counted. Nothing is refused for longer than the window.
 * An unreachable store allows the attempt (fail open) instead of throwing.
 */
export interface LoginThrottle {
  /** Refused when the window already holds the maximum of failures for this key. */
  begin(key: string): Promise<LoginAttempt>;
  /** Uncounts an attempt whose password was right. */
  succeeded(key: string, attemptId: string): Promise<void>;
}
