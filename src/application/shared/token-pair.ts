import type { TokenService } from '../ports/token-service.js';

/** What a login or a refresh answers. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** An access and a refresh token for one session, signed with the same claims. */
export function issuePair(tokens: TokenService, claims: { userId: string; sessionId: string; tokenVersion: number; jti: string }): TokenPair {
  return {
    accessToken: tokens.issueAccess(claims),
    refreshToken: tokens.issueRefresh(claims),
    tokenType: 'Bearer',
    expiresIn: tokens.accessTtlSeconds,
  };
}
