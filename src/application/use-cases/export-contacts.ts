import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Contact, labelKey } from '../../domain/contact.js';
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
export const EXPORT_BATCH = 250;
/** Photos read from storage at once while a batch is written. */
const PHOTO_READS = 8;
/** Cards written between two turns of the event loop (a rich card with its photo takes a fraction of a millisecond). */
export const CARDS_PER_CHUNK = 25;

/**
 * The caller's whole book as vCard text, a chunk every few cards, oldest contact first, each
 * card with its photo inline unless `photos` is `false`. The first batch is read before this
 * returns, so an unavailable database fails the request instead of a stream already under way.
 */
export function makeExportContacts(deps: ExportContactsDeps) {
  return async function exportContacts(ownerId: string, input: Record<string, unknown>): Promise<AsyncIterable<string>> {
    const { version, photos } = validateInput(input);
    const storage = photos ? deps.photos : undefined;
    const pages = deps.repos.contacts.listAll(ownerId, EXPORT_BATCH)[Symbol.asyncIterator]();
    const first = await pages.next();
    async function* write(contacts: (Contact | null)[]): AsyncGenerator<string> {
      const images: (CarriedImage | null)[] = storage ? await readPhotos(storage, contacts as Contact[]) : [];
      for (let start = 0; start < contacts.length; start += CARDS_PER_CHUNK) {
        let chunk = '';
        for (let i = start; i < Math.min(contacts.length, start + CARDS_PER_CHUNK); i += 1) {
          chunk += deps.cards.write(contacts[i]!, version, images[i] ?? null);
          // A written contact and its photo are let go at once, not when the whole batch is written.
          contacts[i] = null;
          images[i] = null;
        }
        yield chunk;
        await nextTurn();
      }
    }
    const groups = deps.repos.groups;
    return (async function* cards() {
      if (!first.done) yield* write(first.value);
      for (let page = await pages.next(); !page.done; page = await pages.next()) yield* write(page.value);
      // The group cards the book received, after the contacts, each naming the contacts now carrying its label.
      const kept = await groups.list(ownerId);
      const members = await groups.membersOf(
        ownerId,
        kept.map((g) => g.label),
      );
      for (const group of kept) {
        yield deps.cards.writeGroup(
          group,
          (members.get(labelKey(group.label)) ?? []).map((m) => m.uid),
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
