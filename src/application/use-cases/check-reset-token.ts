import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { findLiveResetToken } from '../shared/reset-tokens.js';

export interface CheckResetTokenDeps {
  repos: Pick<Repositories, 'tokens'>;
  clock: Clock;
}

/**
 * Tells whether a reset link can still be used, without using it: the page that asks for the new
 * password opens only for a live link. Throws InvalidToken otherwise; reveals nothing about the user.
 */
export function makeCheckResetToken(deps: CheckResetTokenDeps) {
  return async function checkResetToken(token: unknown): Promise<void> {
    await findLiveResetToken(deps.repos.tokens, token, deps.clock.now());
  };
}
