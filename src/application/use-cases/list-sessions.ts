import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { toSessionView, type SessionView } from '../shared/session-view.js';

export interface ListSessionsDeps {
  repos: Pick<Repositories, 'sessions'>;
  clock: Clock;
}

/** The caller's live sessions, newest first, the calling one marked `current`. */
export function makeListSessions(deps: ListSessionsDeps) {
  return async function listSessions(caller: { userId: string; sessionId: string }): Promise<{ items: SessionView[] }> {
    const sessions = await deps.repos.sessions.listLive(caller.userId, deps.clock.now());
    return { items: sessions.map((s) => toSessionView(s, caller.sessionId)) };
  };
}
