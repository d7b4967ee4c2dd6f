import { DomainError } from './errors.js';

/**
 * A place in a book's change feed: the change number (each write of a book takes the next one in
 * its transaction, so their order is the commit order) and, inside one number (an import stamps
 * all its contacts with one), the last contact id handed out. `floor` is set on a walk that
 * started without a token: trashed or purged contacts at or below it were gone before the walk
 * began, so the client never saw them and is not told of them.
 */
export interface SyncPosition {
  change: number;
  id: string;
  floor: number;
}

/** Where a walk without a token starts. */
export const START: SyncPosition = { change: 0, id: '', floor: 0 };

/** A sync token that is not one this service issued (bad encoding, unknown version, impossible numbers). */
export class InvalidSyncToken extends DomainError {
  readonly code = 'INVALID_SYNC_TOKEN';
  constructor() {
    super('The sync token is not valid; start again without one.');
  }
}

/** A sync token older than the changes the book still remembers (purged contacts' tombstones are gone). */
export class SyncTokenExpired extends DomainError {
  readonly code = 'SYNC_TOKEN_EXPIRED';
  constructor() {
    super('The sync token has expired; start again without one.');
  }
}

/**
 * v2 names the book (its owner's id) the position belongs to: a position is a place in one book's
 * counter, so a token taken from another book is refused rather than answered from the wrong
 * counter. A v1 token (before the book was named) is refused like any token this service does not
 * issue any more: the client starts again without one.
 */
const VERSION = 'v2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NUMBER = /^(0|[1-9][0-9]{0,15})$/;
/** A token is short; anything longer is refused before it is decoded. */
const MAX_TOKEN_LENGTH = 200;

/** The opaque token of a position in `book`'s feed: base64url of `v2.book.change.id.floor`, the same on every instance. */
export function encodeSyncToken(book: string, position: SyncPosition): string {
  return Buffer.from(`${VERSION}.${book.toLowerCase()}.${position.change}.${position.id}.${position.floor}`, 'utf8').toString('base64url');
}

/** The position a token names in `book`'s feed; throws InvalidSyncToken for anything this service did not issue for that book. */
export function decodeSyncToken(book: string, token: string): SyncPosition {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw new InvalidSyncToken();
  const parts = Buffer.from(token, 'base64url').toString('utf8').split('.');
  if (parts.length !== 5 || parts[0] !== VERSION || parts[1] !== book.toLowerCase()) throw new InvalidSyncToken();
  const [, , change, id, floor] = parts as [string, string, string, string, string];
  if (!NUMBER.test(change) || !NUMBER.test(floor) || (id !== '' && !UUID.test(id))) throw new InvalidSyncToken();
  const position = { change: Number(change), id, floor: Number(floor) };
  if (!Number.isSafeInteger(position.change) || !Number.isSafeInteger(position.floor)) throw new InvalidSyncToken();
  return position;
}
