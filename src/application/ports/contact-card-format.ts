import type { CardProperty, Contact, KeptCard } from '../../domain/contact.js';

export type VCardVersion = '3.0' | '4.0';

/** An image as a file carried it (a vCard PHOTO, once decoded), not yet judged. */
export interface CarriedImage {
  bytes: Uint8Array;
  /** The type the file claimed, if any (`image/jpeg`); the bytes decide. */
  mediaType: string | null;
}

/** One card (or CSV row) of a file as read: the fields of a contact (not yet validated), or why none can be made. */
export interface CardRead {
  /** The name the card shows (FN, else N, else ORG), for a report; null when it has none. */
  name: string | null;
  /** Candidate fields for validateContact; null when the card cannot become a contact. */
  fields: Record<string, unknown> | null;
  /** Why `fields` is null, in words for the user. */
  problem?: string;
  /** The card itself, every property kept (vCard only). */
  card?: KeptCard | null;
  /** The card's photo, decoded from base64 or a data: URI. */
  photo?: CarriedImage | null;
  /**
   * The PHOTO property `photo` was read from, left out of `card`. A caller that cannot use the
   * photo (an image it cannot decode, storage down) adds it to `card.properties`, so the card
   * still has its picture on export; the writer leaves such an inline PHOTO out when it is given
   * a photo to write.
   */
  photoProperty?: CardProperty | null;
  /**
   * Set for a group card (`KIND:group`, `X-ADDRESSBOOKSERVER-KIND:group`), which is no contact
   * (`fields` null): its name and its members' UIDs as written (`urn:uuid:…`). The reader has
   * already given members found in the same file the group's name as a label.
   */
  group?: { name: string; members: string[] } | null;
}

/** Contacts from an address-book file (vCard, CSV). */
export interface ContactFileReader {
  /**
   * The cards (rows) of a file, in order. A card that cannot be read comes back with a problem and
   * never stops the others. Throws NotAVCardFile (or the format's own error) when the bytes hold
   * none at all, TooManyCards past `maxCards`. Takes time linear in the file whatever it holds, and
   * yields to the event loop as it goes, so no file holds up other requests for long.
   */
  read(file: Uint8Array, maxCards: number): Promise<CardRead[]>;
  /**
   * The same cards, `batchSize` at a time, each batch read as it is asked for, so that the read
   * cards held at once are one batch, not the file. The errors of `read` come from the first
   * `next()`, before any batch.
   */
  readBatches(file: Uint8Array, maxCards: number, batchSize: number): AsyncIterable<CardRead[]>;
}

/** Every card of a reader's batches, for a reader's `read`. */
export async function allCards(batches: AsyncIterable<CardRead[]>): Promise<CardRead[]> {
  const cards: CardRead[] = [];
  for await (const batch of batches) for (const card of batch) cards.push(card);
  return cards;
}

/** Contacts to and from vCard files. */
export interface ContactCardFormat extends ContactFileReader {
  /**
   * One contact as one card, with CRLF line ends and lines folded at 75 octets. The UID is the
   * card's own (`contact.card.uid`), else the contact id. The kept card's properties are written
   * back as they were, but for those that map to a field whose value changed since (those are
   * written from the field). Text values escaped so that RFC 6350 and RFC 2426 readers alike read
   * them back, every line break (a bare CR included) as `\n`. The photo, when given, goes inline.
   */
  write(contact: Contact, version: VCardVersion, photo?: CarriedImage | null): string;
  /**
   * A group card: its kept properties written back as they came (FN from the label, the
   * version's group mark), and one member line for each of `memberUids`, a member the card
   * already named keeping its line as written.
   */
  writeGroup(group: GroupCard, memberUids: readonly string[], version: VCardVersion): string;
}

/** What a group card is written from (a stored ContactGroup). */
export interface GroupCard {
  uid: string;
  label: string;
  card: KeptCard;
  updatedAt: string;
}
