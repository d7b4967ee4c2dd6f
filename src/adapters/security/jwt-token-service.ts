import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessClaims, RefreshClaims, TokenService } from '../../application/ports/token-service.js';

const ISSUER = 'contacts-api';
type Kind = 'access' | 'refresh';
/** Verified access tokens kept in memory: about 4 MB at most. */
const VERIFIED_ACCESS_MAX = 10_000;

/**
 * HS256 JWTs. The key object is built once (a plain string secret is imported again on every
 * call, far slower), the algorithm is pinned, `exp` is required and a `typ` claim keeps a refresh
 * token from ever passing as an access token.
 *
 * A client sends the same access token with every request until it expires, so the claims of
 * the access tokens already verified are kept, keyed by the token's exact text, until their
 * `exp`. A token that differs by one character (forged, tampered, re-signed) is a different key
 * and is verified in full. Revocation is not affected: it is the session and token-version
 * check of `authenticate`, which runs on every request. Verifying (decode, JSON-parse and HMAC
 * the token) costs more than everything else our code does for a cached contact read
 * (docs/measurements.md).
 */
export class JwtTokenService implements TokenService {
  private readonly key: KeyObject;
  /** Oldest first (Map order), so the oldest is dropped when full. */
  private readonly verifiedAccess = new Map<string, { claims: AccessClaims; expiresAtS: number }>();

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
    const known = this.verifiedAccess.get(token);
    if (known) {
      // jsonwebtoken's own rule: a token is expired from the second its exp names.
      if (Math.floor(Date.now() / 1000) < known.expiresAtS) return known.claims;
      this.verifiedAccess.delete(token);
      return null;
    }
    const payload = this.verify(token, 'access');
    if (!payload || typeof payload.sid !== 'string' || typeof payload.ver !== 'number') return null;
    const claims: AccessClaims = {
      userId: payload.sub as string,
      sessionId: payload.sid,
      tokenVersion: payload.ver,
      ...(typeof payload.iat === 'number' ? { issuedAtS: payload.iat } : {}),
    };
    if (this.verifiedAccess.size >= VERIFIED_ACCESS_MAX) this.verifiedAccess.delete(this.verifiedAccess.keys().next().value!);
    this.verifiedAccess.set(token, { claims, expiresAtS: payload.exp! });
    return claims;
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
