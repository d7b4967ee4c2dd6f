import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { findLiveEmailChangeToken } from '../shared/email-change-tokens.js';

export interface CheckEmailChangeTokenDeps {
  repos: Pick<Repositories, 'tokens'>;
  clock: Clock;
}

/**
 * The address an email-change link would switch to, without using the link (mail scanners open
 * links): the page shows it with a button that does the switch. InvalidToken for a dead link.
 */
export function makeCheckEmailChangeToken(deps: CheckEmailChangeTokenDeps) {
  return async function checkEmailChangeToken(token: unknown): Promise<{ newEmail: string }> {
    const record = await findLiveEmailChangeToken(deps.repos.tokens, token, deps.clock.now());
    return { newEmail: record.newEmail };
  };
}
