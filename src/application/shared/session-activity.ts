import { SESSION_TOUCH_INTERVAL_MS, type SessionRepository } from '../ports/session-repository.js';

const MAX_REMEMBERED = 100_000;

/**
 * Records that a session was used, cheaply. This process remembers the last use the database holds
 * for each session it saw and asks the database only once that is a minute old, with a conditional
 * write that changes nothing when another instance recorded a use meanwhile (it answers the stored
 * value instead). So: no Redis round trip, at most one write per session per minute, and about one
 * query per session per minute per instance. The request never waits for it; a failure only leaves
 * `lastUsedAt` behind.
 */
export function makeSessionActivity(sessions: Pick<SessionRepository, 'touch'>) {
  /** Session id → the last use recorded in the database, as far as this process knows (ms). */
  const known = new Map<string, number>();
  const pending = new Set<string>();

  /**
   * `issuedAtS`: when the access token was issued. Every token is issued together with a recorded
   * use (login, refresh, password change), so a session first seen with a fresh token needs no query.
   */
  return function sessionUsed(sessionId: string, at: Date, issuedAtS?: number): void {
    let last = known.get(sessionId);
    const sinceIssued = issuedAtS === undefined ? Infinity : at.getTime() - issuedAtS * 1000;
    if (last === undefined && sinceIssued >= 0 && sinceIssued < SESSION_TOUCH_INTERVAL_MS) {
      if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value as string);
      known.set(sessionId, (last = issuedAtS! * 1000));
    }
    if ((last !== undefined && at.getTime() - last < SESSION_TOUCH_INTERVAL_MS) || pending.has(sessionId)) return;
    if (pending.size >= MAX_REMEMBERED) return;
    pending.add(sessionId);
    sessions
      .touch(sessionId, at)
      .then((recorded) => {
        if (last === undefined && known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value as string);
        if (recorded) known.set(sessionId, recorded.getTime());
        else known.delete(sessionId);
      })
      .catch(() => {})
      .finally(() => pending.delete(sessionId));
  };
}
