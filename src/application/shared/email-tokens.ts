import { hashToken, newOneTimeToken, type TokenPurpose } from '../../domain/one-time-token.js';
import type { OneTimeTokenRepository } from '../ports/one-time-token-repository.js';

/** At most one emailed link of each purpose per address per minute. */
export const EMAIL_RESEND_INTERVAL_MS = 60_000;

export interface EmailTokenRequest {
  userId: string;
  purpose: TokenPurpose;
  now: Date;
  ttlSeconds: number;
}

function tokenRecord(request: EmailTokenRequest) {
  const { userId, purpose, now, ttlSeconds } = request;
  const token = newOneTimeToken();
  return { token, record: { userId, purpose, tokenHash: hashToken(token), createdAt: now, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) } };
}

/** Stores a new one-time token of that purpose for the user (only its hash) and returns it, to be emailed. */
export async function createEmailToken(tokens: OneTimeTokenRepository, request: EmailTokenRequest): Promise<string> {
  const { token, record } = tokenRecord(request);
  await tokens.create(record);
  return token;
}

/**
 * Issues a new one-time token of that purpose to the user and returns it, to be emailed; null when
 * one was issued less than a minute ago (the caller then sends nothing and says nothing).
 */
export async function issueEmailToken(tokens: OneTimeTokenRepository, request: EmailTokenRequest): Promise<string | null> {
  const { token, record } = tokenRecord(request);
  // The check and the insert are one step, so parallel requests for one address send one email.
  const created = await tokens.createUnlessIssuedSince(record, new Date(request.now.getTime() - EMAIL_RESEND_INTERVAL_MS));
  return created ? token : null;
}
