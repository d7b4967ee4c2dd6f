import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { UserCache } from '../ports/user-cache.js';

export interface RevokeOtherSessionsDeps {
  repos: Pick<Repositories, 'sessions'>;
  cache: UserCache;
  clock: Clock;
}

/** "Log out everywhere else": every session of the caller but the calling one ends at once. */
export function makeRevokeOtherSessions(deps: RevokeOtherSessionsDeps) {
  return async function revokeOtherSessions(caller: { userId: string; sessionId: string }): Promise<void> {
    const revoked = await deps.repos.sessions.revokeAllForUser(caller.userId, deps.clock.now(), caller.sessionId);
    for (const id of revoked) await deps.cache.evictSession(id);
  };
}
