import type { Contact } from '../../domain/contact.js';

export type VCardVersion = '3.0' | '4.0';

/** One card of a file as read: the fields of a contact (not yet validated), or why none can be made. */
export interface CardRead {
  /** The name the card shows (FN, else N), for a report; null when it has none. */
  name: string | null;
  /** Candidate fields for validateContact; null when the card cannot become a contact. */
  fields: Record<string, unknown> | null;
  /** Why `fields` is null, in words for the user. */
  problem?: string;
}

/** Contacts to and from address-book files (vCard). */
export interface ContactCardFormat {
  /**
   * The cards of a file, in order, whatever version (2.1, 3.0, 4.0) each is. A card that cannot be
   * read comes back with a problem and never stops the others. Throws NotAVCardFile when the bytes
   * hold no card at all, TooManyCards past `maxCards`. Takes time linear in the file whatever it
   * holds, and yields to the event loop as it goes, so no file holds up other requests for long.
   */
  read(file: Uint8Array, maxCards: number): Promise<CardRead[]>;
  /**
   * One contact as one card (UID = the contact id), with CRLF line ends and lines folded at 75
   * octets; text values escaped so that RFC 6350 and RFC 2426 readers alike read them back, every
   * line break (a bare CR included) as `\n`, so no value can start a property of its own.
   */
  write(contact: Contact, version: VCardVersion): string;
}
