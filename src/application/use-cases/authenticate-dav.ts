import type { AuthUser } from '../../domain/user.js';

/** Who a CardDAV request comes from, and how it proved it. */
export type DavCaller =
  | { user: AuthUser; via: 'app-password'; appPasswordId: string }
  | { user: AuthUser; via: 'bearer'; sessionId: string };

/**
 * `authenticateDav(authorizationHeader, clientIp)`: the Authorization header of a DAV request →
 * the caller. Throws Unauthenticated (the adapter answers 401 with `WWW-Authenticate: Basic
 * realm="Contacts"`) for anything but a right app password or a live access token, and RateLimited
 * (429) when failed Basic logins for that account from that IP are past the login throttle.
 */
export type AuthenticateDav = (authorization: string | undefined, clientIp?: string) => Promise<DavCaller>;
