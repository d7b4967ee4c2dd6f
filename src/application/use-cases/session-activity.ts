import { SESSION_TOUCH_INTERVAL_MS, type SessionRepository } from '../ports/session-repository.js';

const MAX_REMEMBERED = 100_000;

/**
 * Records that a session was used, cheaply: this process remembers when it last recorded each
 * session and asks the database again only once a minute per session, with a conditional write
 * that changes nothing when another instance recorded it meanwhile. No Redis round trip, no write
 * per request, and the request never waits for it (a failure only leaves `lastUsedAt` behind).
 */
export function makeSessionActivity(sessions: Pick<SessionRepository, 'touch'>) {
  const recorded = new Map<string, number>();
  return function sessionUsed(sessionId: string, at: Date): void {
    const now = at.getTime();
    const last = recorded.get(sessionId);
    if (last !== undefined && now - last < SESSION_TOUCH_INTERVAL_MS) return;
    if (last === undefined && recorded.size >= MAX_REMEMBERED) recorded.delete(recorded.keys().next().value as string);
    recorded.set(sessionId, now);
    sessions.touch(sessionId, at).catch(() => {});
  };
}
