export interface LoginThrottleLimits {
  /** Failures allowed per (account, client IP) within a window: RATE_LIMIT_LOGIN_FAILURES_MAX. */
  max: number;
  /**
   * Failures per account from all IPs together within a window (default 3 × max). Past it only IPs
   * that have not failed for this account in the window may still try; see
   * docs/decisions/login-throttle-per-account-and-ip.md.
   */
  accountMax?: number;
  windowSeconds: number;
}

/** The ceiling per account when LoginThrottleLimits.accountMax is not given. */
export const ACCOUNT_CEILING_FACTOR = 3;

/** The outcome of `LoginThrottle.begin`. */
export type LoginAttempt = { allowed: true; id: string } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts failed password checks per account (the normalised login email) and client IP over a
 * sliding window, so that guessing is slowed without a stranger locking the owner out:
 *
 * - one (account, IP) pair is refused after `max` failures;
 * - once the account has `accountMax` failures from all IPs together, every IP that has failed for
 *   it in the window is refused, but an IP that has not failed may still try: the owner with the
 *   right password from a clean IP always gets in.
 *
 * Use it around every password check (login, and routes that ask for the current password):
 * `begin(account, ip)` before checking, refuse on `allowed: false` (429 with the wait), and
 * `succeeded(account, ip, id)` when the password was right; a wrong one needs nothing more, its
 * attempt stays counted. Counting before checking means concurrent guesses cannot slip past the
 * limit; a success never clears the failures already counted. Nothing is refused for longer than
 * the window. Keys are digested, so input of any size costs the same few bytes. An unreachable
 * store allows the attempt (fail open) instead of throwing.
 */
export interface LoginThrottle {
  /** Counts an attempt for (account, client IP); refused when a limit above is reached. */
  begin(account: string, clientIp: string): Promise<LoginAttempt>;
  /** Uncounts an attempt whose password was right. */
  succeeded(account: string, clientIp: string, attemptId: string): Promise<void>;
}

/** The client IP counted for a password check that did not come from a network client (a script, a test). */
export const UNKNOWN_CLIENT_IP = 'unknown';
