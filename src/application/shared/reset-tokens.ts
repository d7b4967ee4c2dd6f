import { hashToken, looksLikeOneTimeToken } from '../../domain/one-time-token.js';
import { InvalidToken } from '../../domain/user.errors.js';
import type { OneTimeTokenRecord, OneTimeTokenRepository } from '../ports/one-time-token-repository.js';

/** The stored reset token for that secret, if it is unused and unexpired at `now`; else InvalidToken. */
export async function findLiveResetToken(tokens: OneTimeTokenRepository, token: unknown, now: Date): Promise<OneTimeTokenRecord> {
  if (!looksLikeOneTimeToken(token)) throw new InvalidToken();
  const record = await tokens.findByHash('reset-password', hashToken(token));
  if (!record || record.consumedAt || record.expiresAt <= now) throw new InvalidToken();
  return record;
}
