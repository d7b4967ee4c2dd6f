import type { Contact } from '../../domain/contact.js';
import { FieldErrors } from '../../domain/errors.js';
import type { CarriedImage, ContactCardFormat, VCardVersion } from '../ports/contact-card-format.js';
import type { ContactPhotoStorage } from '../ports/contact-photo-storage.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface ExportContactsDeps {
  repos: Pick<Repositories, 'contacts' | 'groups'>;
  cards: ContactCardFormat;
  /** Where the contacts' photos are read from; without it, cards go without photos. */
  photos?: Pick<ContactPhotoStorage, 'read'>;
}

/** Contacts read from the database at a time: the most an export holds in memory. */
export const EXPORT_BATCH = 500;
/** Photos read from storage at once while a batch is written. */
const PHOTO_READS = 8;

/**
 * The caller's whole book as vCard text, one chunk per batch of cards, oldest contact first, each
 * card with its photo inline unless `photos` is `false`. The first batch is read before this
 * returns, so an unavailable database fails the request instead of a stream already under way.
 * A photo that storage no longer has is left out of its card. The group cards the book received
 * follow the contacts (labels without one travel as CATEGORIES only).
 */
export function makeExportContacts(deps: ExportContactsDeps) {
  return async function exportContacts(ownerId: string, input: Record<string, unknown>): Promise<AsyncIterable<string>> {
    const { version, photos } = validateInput(input);
    const storage = photos ? deps.photos : undefined;
    const pages = deps.repos.contacts.listAll(ownerId, EXPORT_BATCH)[Symbol.asyncIterator]();
    const first = await pages.next();
    const write = async (contacts: Contact[]) => {
      const images = storage ? await readPhotos(storage, contacts) : [];
      return contacts.map((c, i) => deps.cards.write(c, version, images[i] ?? null)).join('');
    };
    const firstChunk = first.done ? '' : await write(first.value);
    const groups = deps.repos.groups;
    return (async function* cards() {
      if (!first.done) {
        yield firstChunk;
        for (let page = await pages.next(); !page.done; page = await pages.next()) yield await write(page.value);
      }
      // The group cards the book received, after the contacts, each naming the contacts now carrying its label.
      for (const group of await groups.list(ownerId)) {
        const members = await groups.members(ownerId, group.label);
        yield deps.cards.writeGroup(
          group,
          members.map((m) => m.uid),
          version,
        );
      }
    })();
  };
}

/** The photos of a batch, a few reads at a time, in the batch's order. */
async function readPhotos(storage: Pick<ContactPhotoStorage, 'read'>, contacts: Contact[]): Promise<(CarriedImage | null)[]> {
  const images: (CarriedImage | null)[] = contacts.map(() => null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < contacts.length; i = next++) {
      const photo = contacts[i]!.photo;
      if (photo !== null) images[i] = await storage.read(photo);
    }
  };
  await Promise.all(Array.from({ length: PHOTO_READS }, worker));
  return images;
}

function validateInput(input: Record<string, unknown>): { version: VCardVersion; photos: boolean } {
  const errors = new FieldErrors();
  let version: VCardVersion = '4.0';
  if (input.version === '3.0') version = '3.0';
  else if (input.version !== undefined && input.version !== '' && input.version !== '4.0') errors.add('version', 'must be 4.0 or 3.0');
  let photos = true;
  if (input.photos === 'false' || input.photos === false) photos = false;
  else if (input.photos !== undefined && input.photos !== '' && input.photos !== 'true' && input.photos !== true) errors.add('photos', 'must be true or false');
  errors.throwIfAny();
  return { version, photos };
}
