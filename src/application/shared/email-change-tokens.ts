import { hashToken } from '../../domain/one-time-token.js';
import { InvalidToken } from '../../domain/user.errors.js';
import type { OneTimeTokenRecord, OneTimeTokenRepository } from '../ports/one-time-token-repository.js';

/**
 * The stored email-change token for that secret if it can still be used at `now`: known, unused,
 * unexpired and the newest the user asked for (a newer request makes older links dead). Else InvalidToken.
 */
export async function findLiveEmailChangeToken(tokens: OneTimeTokenRepository, token: unknown, now: Date): Promise<OneTimeTokenRecord & { newEmail: string }> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) throw new InvalidToken();
  const record = await tokens.findByHash('change-email', hashToken(token));
  if (!record || record.consumedAt || record.expiresAt <= now || !record.newEmail) throw new InvalidToken();
  const newest = await tokens.lastIssuedAt(record.userId, 'change-email');
  if (newest && newest > record.createdAt) throw new InvalidToken();
  return { ...record, newEmail: record.newEmail };
}
