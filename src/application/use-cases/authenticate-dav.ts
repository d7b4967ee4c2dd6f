import { canonicalAppPassword, hashAppPassword } from '../../domain/app-password.js';
import { RateLimited } from '../../domain/errors.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { toAuthUser, type AuthUser } from '../../domain/user.js';
import { emailKey } from '../../domain/validation.js';
import { APP_PASSWORD_TOUCH_INTERVAL_MS } from '../ports/app-password-repository.js';
import type { Clock } from '../ports/clock.js';
import { UNKNOWN_CLIENT_IP, type LoginThrottle } from '../ports/login-throttle.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserLimit } from '../ports/user-rate-limiter.js';
import type { Caller } from './authenticate.js';

/** Who a CardDAV request comes from, and how it proved it. */
export type DavCaller =
  | { user: AuthUser; via: 'app-password'; appPasswordId: string }
  | { user: AuthUser; via: 'bearer'; sessionId: string; decisions?: Caller['decisions'] };

/**
 * `authenticateDav(authorizationHeader, clientIp)`: the Authorization header of a DAV request →
 * the caller. Throws Unauthenticated (the adapter answers 401 with `WWW-Authenticate: Basic
 * realm="Contacts"`) for anything but a right app password or a live access token, and RateLimited
 * (429) when failed Basic logins for that account from that IP are past the login throttle. A
 * Bearer caller is counted against `limits` in the same step as its session check (the REST
 * admission: `decisions`); a Basic caller is not (the adapter counts it).
 */
export type AuthenticateDav = (authorization: string | undefined, clientIp?: string, limits?: readonly UserLimit[]) => Promise<DavCaller>;

export interface AuthenticateDavDeps {
  repos: Pick<Repositories, 'users' | 'appPasswords'>;
  loginThrottle: LoginThrottle;
  clock: Clock;
  /** The REST API's access-token check, for `Bearer`. */
  authenticate: (accessToken: string, limits?: readonly UserLimit[]) => Promise<Caller>;
}

// RFC 7617's credentials, base64; bounded so that a megabyte header is refused unread. An email
// (254), a password and the base64 overhead fit well within it.
const BASIC = /^Basic +([A-Za-z0-9+/]{1,1024}={0,2}) *$/i;
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]{1,4096}=*) *$/i;

/**
 * Authenticates a CardDAV request. `Basic` takes the account's email (any case) or username and an
 * app password of that account; the account password itself is never accepted (a phone keeps what
 * it is given; an app password can be revoked alone). Every Basic attempt is counted by the login
 * throttle for (the account named, client IP) before it is checked and uncounted when right, so a
 * wrong app password (or the account password) counts as a failed login. The app password is found
 * by its digest in one indexed lookup, with no cache: a revoked one is refused at once everywhere.
 * `Bearer` is the REST API's access-token check.
 */
export function makeAuthenticateDav(deps: AuthenticateDavDeps): AuthenticateDav {
  return async function authenticateDav(authorization, clientIp = UNKNOWN_CLIENT_IP, limits = []) {
    if (typeof authorization !== 'string') throw new Unauthenticated();
    const bearer = BEARER.exec(authorization);
    if (bearer) {
      const caller = await deps.authenticate(bearer[1]!, limits);
      return { user: caller.user, via: 'bearer', sessionId: caller.sessionId, ...(caller.decisions ? { decisions: caller.decisions } : {}) };
    }
    const basic = BASIC.exec(authorization);
    if (!basic) throw new Unauthenticated();
    const credentials = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = credentials.indexOf(':');
    if (colon < 0) throw new Unauthenticated();
    const login = credentials.slice(0, colon).trim();
    const secret = credentials.slice(colon + 1);
    if (login === '') throw new Unauthenticated();

    // An email is counted under the key /api/auth/login uses, so both spend one budget; a username
    // (not unique) under its own.
    const throttleKey = login.includes('@') ? emailKey(login) : `username:${login.toLowerCase()}`;
    const attempt = await deps.loginThrottle.begin(throttleKey, clientIp);
    if (!attempt.allowed) throw new RateLimited(attempt.retryAfterSeconds);

    const canonical = canonicalAppPassword(secret);
    const entry = canonical ? await deps.repos.appPasswords.findBySecretHash(hashAppPassword(canonical)) : null;
    const user = entry ? await deps.repos.users.findById(entry.userId) : null;
    if (!entry || !user || (emailKey(user.email) !== emailKey(login) && user.username !== login)) throw new Unauthenticated();
    await deps.loginThrottle.succeeded(throttleKey, clientIp, attempt.id);

    const now = deps.clock.now();
    if (!entry.lastUsedAt || now.getTime() - entry.lastUsedAt.getTime() >= APP_PASSWORD_TOUCH_INTERVAL_MS) {
      await deps.repos.appPasswords.touch(entry.id, now);
    }
    return { user: toAuthUser(user), via: 'app-password', appPasswordId: entry.id };
  };
}
