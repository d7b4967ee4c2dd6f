import { setImmediate as nextTurn } from 'node:timers/promises';
import { utcDay } from '../../domain/birthdays.js';
import { type CardProperty, emailKeysOf, LABEL_MAX, validateContact, type ContactFields, type KeptCard, type StoredPhoto } from '../../domain/contact.js';
import { ValidationFailed } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { CardRead, CarriedImage, ContactFileReader } from '../ports/contact-card-format.js';
import type { NewGroup } from '../ports/contact-group-repository.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';
import { type ContactPhotoDeps, discardContactPhotos, storeContactPhotos } from './set-contact-photo.js';

/** The files an import reads: vCard (2.1, 3.0, 4.0) and CSV (Google Contacts', Outlook's). */
export type ImportFormat = 'vcard' | 'csv';

export interface ImportContactsDeps extends ContactPhotoDeps {
  uow: UnitOfWork;
  readers: Readonly<Record<ImportFormat, ContactFileReader>>;
  clock: Clock;
}

export interface SkippedCard {
  /** Position of the card (CSV: of the row after the header, blank rows left out) in the file, from 0. */
  index: number;
  name: string | null;
  reason: string;
}

export interface ImportReport {
  created: number;
  skipped: SkippedCard[];
  /** Group cards kept (a label is a group): neither contacts created nor cards skipped. Only when the file had some. */
  groups?: number;
}

/** Cards one import may hold: a 5 MiB file of the smallest cards would otherwise be 170,000 of them. */
export const MAX_CARDS_PER_IMPORT = 50_000;

/** Cards validated between two turns of the event loop. */
const CARDS_PER_TURN = 50;

const NO_NAME = 'the card has neither a name nor an organization';

/** Why a card's fields are not a contact, in words for the report. */
function reasonOf(error: ValidationFailed): string {
  if (error.errors.some((e) => e.field === 'firstName' && e.message.startsWith('is required'))) return NO_NAME;
  return error.errors.map((e) => `${e.field} ${e.message}`).join('; ');
}

interface Kept {
  index: number;
  name: string | null;
  fields: ContactFields;
  card: KeptCard | null;
  image: CarriedImage | null;
  /** The PHOTO property the image came from, put back in the card when the photo is not stored. */
  photoProperty: CardProperty | null;
}

/** The kept card with the PHOTO property back in it: a photo the import could not store is still the card's on export. */
function withPhotoProperty(card: KeptCard | null, property: CardProperty | null): KeptCard | null {
  if (!property) return card;
  return { uid: card?.uid ?? null, properties: [...(card?.properties ?? []), property] };
}

/**
 * The group card to keep for a card that is one: its label is the group's name as its members got
 * it (the reader's rule), its UID the card's own, else the label. Null for any other card, and for
 * a group without a name.
 */
function groupOf(card: CardRead): NewGroup | null {
  if (!card.group || !card.card) return null;
  const label = [...card.group.name].slice(0, LABEL_MAX).join('').trim();
  if (label === '') return null;
  return { uid: card.card.uid ?? label, label, card: card.card };
}

/**
 * Adds every card (vCard) or row (CSV) of a file to the caller's book that makes a valid contact,
 * and reports each one it skips: one that cannot be read, an invalid field, neither a name nor an
 * organization, an email a contact of the book holds (the reason names it) or an earlier card of
 * the file has. Photos the cards carry are fitted and stored first, a few at a time; a photo that
 * cannot be used never costs its card, which imports without it (its PHOTO property goes back into
 * the kept card, so export still writes the picture as it came). The contacts are stored in one
 * transaction; a photo stored for a card that was then not stored is removed again.
 */
export function makeImportContacts(deps: ImportContactsDeps) {
  return async function importContacts(ownerId: string, file: Uint8Array, format: ImportFormat = 'vcard'): Promise<ImportReport> {
    const today = utcDay(deps.clock.now());
    const skipped: SkippedCard[] = [];
    const kept: Kept[] = [];
    const groups: NewGroup[] = [];
    // Each email of the file with the card that first had it.
    const firstWith = new Map<string, number>();

    const cards = await deps.readers[format].read(file, MAX_CARDS_PER_IMPORT);
    for (const [index, card] of cards.entries()) {
      // Validating a rich card takes tens of microseconds: other requests get a turn every few milliseconds.
      if (index % CARDS_PER_TURN === CARDS_PER_TURN - 1) await nextTurn();
      const { name } = card;
      const group = groupOf(card);
      if (group) {
        groups.push(group);
        continue;
      }
      if (!card.fields) {
        skipped.push({ index, name, reason: card.problem ?? 'the card could not be read' });
        continue;
      }
      let fields: ContactFields;
      try {
        fields = validateContact(card.fields, today);
      } catch (error) {
        if (!(error instanceof ValidationFailed)) throw error;
        skipped.push({ index, name, reason: reasonOf(error) });
        continue;
      }
      const keys = emailKeysOf(fields);
      const earlier = keys.map((key) => firstWith.get(key)).find((i) => i !== undefined);
      if (earlier !== undefined) {
        skipped.push({ index, name, reason: `an earlier card in this file has the same email (index ${earlier})` });
        continue;
      }
      for (const key of keys) firstWith.set(key, index);
      kept.push({ index, name, fields, card: card.card ?? null, image: card.photo ?? null, photoProperty: card.photoProperty ?? null });
    }
    // What was read and not kept (the raw fields, the cards skipped) is left to the collector.
    cards.length = 0;

    const outcomes = await storeContactPhotos(
      deps,
      ownerId,
      kept.map((k) => k.image),
    );
    const photos: (StoredPhoto | null)[] = outcomes.map((o) => (o && 'photo' in o ? o.photo : null));
    for (const k of kept) k.image = null;
    const storedPhotos = photos.filter((p): p is StoredPhoto => p !== null);

    let holders: (string | null)[];
    try {
      holders =
        kept.length === 0 && groups.length === 0
          ? []
          : await deps.uow.run(async (repos) => {
              const stored =
                kept.length === 0
                  ? []
                  : await repos.contacts.createMany(
                      ownerId,
                      kept.map((k, i) => ({
                        fields: k.fields,
                        card: photos[i] ? k.card : withPhotoProperty(k.card, k.photoProperty),
                        photo: photos[i] ?? null,
                      })),
                    );
              // A group card of a label the book has a card for replaces it (upsert by label, and by UID).
              for (const group of groups) {
                const existing = (await repos.groups.byLabel(ownerId, group.label)) ?? (await repos.groups.byUid(ownerId, group.uid));
                await repos.groups.save(ownerId, { ...group, name: existing?.name }, existing?.id);
              }
              return stored;
            });
    } catch (error) {
      await discardContactPhotos(deps, storedPhotos);
      throw error;
    }
    const unused: StoredPhoto[] = [];
    holders.forEach((holder, i) => {
      if (holder === null) return;
      const k = kept[i]!;
      skipped.push({ index: k.index, name: k.name, reason: `a contact with this email is already in your book: ${holder}` });
      if (photos[i]) unused.push(photos[i]!);
    });
    if (unused.length > 0) await discardContactPhotos(deps, unused);
    skipped.sort((a, b) => a.index - b.index);
    const created = holders.filter((h) => h === null).length;
    return groups.length > 0 ? { created, skipped, groups: groups.length } : { created, skipped };
  };
}
