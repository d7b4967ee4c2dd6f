import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessClaims, RefreshClaims, TokenService } from '../../application/ports/token-service.js';

const ISSUER = 'contacts-api';
type Kind = 'access' | 'refresh';

/**
 * HS256 JWTs. The key object is built once (a plain string secret is re-imported on every call,
 * ~50x slower), the algorithm is pinned, `exp` is required and a `typ` claim keeps a refresh
 * token from ever passing as an access token.
 */
export class JwtTokenService implements TokenService {
  private readonly key: KeyObject;

  constructor(
    secret: string,
    readonly accessTtlSeconds: number,
    readonly refreshTtlSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issueAccess(claims: AccessClaims): string {
    return this.sign('access', claims.userId, { sid: claims.sessionId, ver: claims.tokenVersion }, this.accessTtlSeconds);
  }

  verifyAccess(token: string): AccessClaims | null {
    const payload = this.verify(token, 'access');
    if (!payload || typeof payload.sid !== 'string' || typeof payload.ver !== 'number') return null;
    return { userId: payload.sub as string, sessionId: payload.sid, tokenVersion: payload.ver };
  }

  issueRefresh(claims: RefreshClaims): string {
    return this.sign('refresh', claims.userId, { sid: claims.sessionId, jti: claims.jti }, this.refreshTtlSeconds);
  }

  verifyRefresh(token: string): RefreshClaims | null {
    const payload = this.verify(token, 'refresh');
    if (!payload || typeof payload.sid !== 'string' || typeof payload.jti !== 'string') return null;
    return { userId: payload.sub as string, sessionId: payload.sid, jti: payload.jti };
  }

  private sign(typ: Kind, subject: string, claims: object, ttlSeconds: number): string {
    return jwt.sign({ ...claims, typ }, this.key, { algorithm: 'HS256', expiresIn: ttlSeconds, subject, issuer: ISSUER });
  }

  private verify(token: string, typ: Kind): jwt.JwtPayload | null {
    if (token.length > 4096) return null;
    try {
      const payload = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER });
      if (typeof payload !== 'object' || payload.typ !== typ) return null;
      if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string') return null;
      return payload;
    } catch {
      return null;
    }
  }
}
