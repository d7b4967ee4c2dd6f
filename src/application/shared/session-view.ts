import type { Session } from '../ports/session-repository.js';

/** A session as its owner sees it: never its refresh token id, nor anything else secret. */
export interface SessionView {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  /** The session the request came with. */
  current: boolean;
}

export function toSessionView(session: Session, currentSessionId: string): SessionView {
  const { id, createdAt, lastUsedAt, userAgent } = session;
  return { id, createdAt, lastUsedAt, userAgent, current: id === currentSessionId };
}
