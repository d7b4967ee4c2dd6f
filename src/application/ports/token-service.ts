export interface AccessClaims {
  userId: string;
  sessionId: string;
  tokenVersion: number;
  /** When the token was issued (whole seconds since the epoch); set by verifyAccess, ignored by issueAccess. */
  issuedAtS?: number;
}

export interface RefreshClaims {
  userId: string;
  sessionId: string;
  jti: string;
}

/** Signed, expiring tokens. Each kind only ever verifies as itself. */
export interface TokenService {
  readonly accessTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  issueAccess(claims: AccessClaims): string;
  /** Null for anything that is not a valid, unexpired access token. */
  verifyAccess(token: string): AccessClaims | null;
  issueRefresh(claims: RefreshClaims): string;
  /** Null for anything that is not a valid, unexpired refresh token. */
  verifyRefresh(token: string): RefreshClaims | null;
}
