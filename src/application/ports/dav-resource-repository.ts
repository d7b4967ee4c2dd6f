/**
 * The names CardDAV clients gave the cards they PUT (`{name}` in `/dav/addressbooks/{user}/contacts/{name}`),
 * kept as given, and each card's UID, by contact. A contact made over REST has no entry: its
 * resource name is `{id}.vcf` and its UID its card's, else its id.
 */
export interface DavResource {
  contactId: string;
  name: string;
  uid: string;
}

export interface DavResourceRepository {
  /** The entry of this resource name in the owner's book; null when none. */
  byName(ownerId: string, name: string): Promise<DavResource | null>;
  /** The entries of these resource names (those that have one). */
  byNames(ownerId: string, names: readonly string[]): Promise<DavResource[]>;
  /** The entry holding this UID in the owner's book; null when none. */
  byUid(ownerId: string, uid: string): Promise<DavResource | null>;
  /** The entries of these contacts (those that have one). */
  byContactIds(ownerId: string, contactIds: readonly string[]): Promise<DavResource[]>;
  /**
   * Records (or moves) the name and UID of a contact, replacing the contact's entry and any other
   * entry of the same name or UID (the caller has checked that its contact is gone).
   */
  save(ownerId: string, resource: DavResource): Promise<void>;
}
