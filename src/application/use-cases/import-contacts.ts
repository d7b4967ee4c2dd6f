import { setImmediate as nextTurn } from 'node:timers/promises';
import { utcDay } from '../../domain/birthdays.js';
import { type CardProperty, emailKeysOf, LABEL_MAX, validateContact, type ContactFields, type KeptCard, type StoredPhoto } from '../../domain/contact.js';
import { ValidationFailed } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { CardRead, CarriedImage, ContactFileReader } from '../ports/contact-card-format.js';
import type { NewGroup } from '../ports/contact-group-repository.js';
import type { Repositories, UnitOfWork } from '../ports/unit-of-work.js';
import { KeyedGate } from '../shared/keyed-gate.js';
import { type ContactPhotoDeps, discardContactPhotos, storeContactPhotos } from './set-contact-photo.js';

/** The files an import reads: vCard (2.1, 3.0, 4.0) and CSV (Google Contacts', Outlook's). */
export type ImportFormat = 'vcard' | 'csv';

export interface ImportContactsDeps extends ContactPhotoDeps {
  uow: UnitOfWork;
  readers: Readonly<Record<ImportFormat, ContactFileReader>>;
  clock: Clock;
  /**
   * Imports this instance runs at once (into different books: one book's run one after the other).
   * Each holds a write connection for its transaction, so this keeps the rest of the pool for
   * everyone else's requests.
   */
  importsAtOnce: number;
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

/**
 * Imports waiting for the gate on one instance, and how long one waits: each holds its file
 * (at most CONTACTS_IMPORT_MAX_BYTES) and its client's connection meanwhile; a large import takes
 * seconds, so a longer queue would outlast any client's patience.
 */
export const IMPORTS_WAITING_MAX = 32;
export const IMPORT_WAIT_MS = 60_000;

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

/** Cards read, validated and fitted with their photos at a time: the most of a file an import holds parsed. */
export const IMPORT_BATCH = 250;

/** A batch of a file, sorted: the cards to store, each with its photo once stored (null when none). */
interface Prepared {
  kept: Kept[];
  photos: (StoredPhoto | null)[];
}

/**
 * Adds every card (vCard) or row (CSV) of a file to the caller's book that makes a valid contact,
 * and reports each one it skips: one that cannot be read, an invalid field, neither a name nor an
 * organization, an email a contact of the book holds (the reason names it) or an earlier card of
 * the file has. Photos the cards carry are fitted and stored, a few at a time; a photo that
 * cannot be used never costs its card, which imports without it (its PHOTO property goes back into
 * the kept card, so export still writes the picture as it came). The file is read, validated and
 * its photos fitted a batch at a time, each batch stored while the next is prepared, all in one
 * transaction: an import stores every contact it reports or none. A photo stored for a card that
 * was then not stored is removed again.
 *
 * An import waits, in memory and without a connection, until a gate admits it: one import of a
 * book at a time (the book's lock would serialise them anyway, each holding a pooled connection
 * while it waits) and at most `importsAtOnce` on the instance, so parallel imports never take the
 * write pool other requests need, nor all of the CPU their photos' fitting would. The whole import
 * is inside the gate: reading, fitting and the transaction. More than IMPORTS_WAITING_MAX waiting,
 * or a wait past IMPORT_WAIT_MS, is refused with 503 and Retry-After (the client tries again).
 */
export function makeImportContacts(deps: ImportContactsDeps) {
  const gate = new KeyedGate({ service: 'contact imports', atOnce: deps.importsAtOnce, maxWaiting: IMPORTS_WAITING_MAX, maxWaitMs: IMPORT_WAIT_MS });
  const importContacts = async (ownerId: string, file: Uint8Array, format: ImportFormat): Promise<ImportReport> => {
    const today = utcDay(deps.clock.now());
    const skipped: SkippedCard[] = [];
    const groups: NewGroup[] = [];
    // Each email of the file with the card that first had it.
    const firstWith = new Map<string, number>();
    // Every photo stored so far, removed again if the import fails.
    const storedPhotos: StoredPhoto[] = [];
    const unused: StoredPhoto[] = [];
    const batches = deps.readers[format].readBatches(file, MAX_CARDS_PER_IMPORT, IMPORT_BATCH)[Symbol.asyncIterator]();
    let index = 0;
    let created = 0;

    const sort = async (cards: CardRead[]): Promise<Kept[]> => {
      const kept: Kept[] = [];
      for (const card of cards) {
        const i = index++;
        // Validating a rich card takes tens of microseconds: other requests get a turn every few milliseconds.
        if (i % CARDS_PER_TURN === CARDS_PER_TURN - 1) await nextTurn();
        const { name } = card;
        const group = groupOf(card);
        if (group) {
          groups.push(group);
          continue;
        }
        if (!card.fields) {
          skipped.push({ index: i, name, reason: card.problem ?? 'the card could not be read' });
          continue;
        }
        let fields: ContactFields;
        try {
          fields = validateContact(card.fields, today);
        } catch (error) {
          if (!(error instanceof ValidationFailed)) throw error;
          skipped.push({ index: i, name, reason: reasonOf(error) });
          continue;
        }
        const keys = emailKeysOf(fields);
        const earlier = keys.map((key) => firstWith.get(key)).find((e) => e !== undefined);
        if (earlier !== undefined) {
          skipped.push({ index: i, name, reason: `an earlier card in this file has the same email (index ${earlier})` });
          continue;
        }
        for (const key of keys) firstWith.set(key, i);
        kept.push({ index: i, name, fields, card: card.card ?? null, image: card.photo ?? null, photoProperty: card.photoProperty ?? null });
      }
      return kept;
    };

    /** The next batch read, sorted and its photos stored; null after the last. */
    const prepare = async (): Promise<Prepared | null> => {
      const next = await batches.next();
      if (next.done) return null;
      const kept = await sort(next.value);
      const outcomes = await storeContactPhotos(
        deps,
        ownerId,
        kept.map((k) => k.image),
      );
      const photos = outcomes.map((o) => (o && 'photo' in o ? o.photo : null));
      for (const k of kept) k.image = null;
      for (const photo of photos) if (photo) storedPhotos.push(photo);
      return { kept, photos };
    };

    const store = async (repos: Repositories, { kept, photos }: Prepared) => {
      if (kept.length === 0) return;
      const holders = await repos.contacts.createMany(
        ownerId,
        kept.map((k, i) => ({
          fields: k.fields,
          card: photos[i] ? k.card : withPhotoProperty(k.card, k.photoProperty),
          photo: photos[i] ?? null,
        })),
      );
      holders.forEach((holder, i) => {
        if (holder === null) {
          created += 1;
          return;
        }
        const k = kept[i]!;
        skipped.push({ index: k.index, name: k.name, reason: `a contact with this email is already in your book: ${holder}` });
        if (photos[i]) unused.push(photos[i]!);
      });
    };

    // The reader's errors (not a vCard file, too many cards) come with the first batch, before any write.
    const first = await prepare();
    let next = prepare();
    // A batch being prepared while another is stored: its failure is seen when it is awaited.
    next.catch(() => {});
    try {
      if (first !== null && (first.kept.length > 0 || (await next) !== null || groups.length > 0)) {
        await deps.uow.run(async (repos) => {
          for (let batch: Prepared | null = first; batch !== null; ) {
            const following = next;
            await store(repos, batch);
            batch = await following;
            next = batch === null ? following : prepare();
            next.catch(() => {});
          }
          // A group card of a label the book has a card for replaces it (upsert by label, and by UID).
          for (const group of groups) {
            const existing = (await repos.groups.byLabel(ownerId, group.label)) ?? (await repos.groups.byUid(ownerId, group.uid));
            await repos.groups.save(ownerId, { ...group, name: existing?.name }, existing?.id);
          }
        });
      }
    } catch (error) {
      // A batch still being prepared may store photos of its own: they are removed with the others.
      await next.catch(() => null);
      await batches.return?.();
      await discardContactPhotos(deps, storedPhotos);
      throw error;
    }
    if (unused.length > 0) await discardContactPhotos(deps, unused);
    skipped.sort((a, b) => a.index - b.index);
    return groups.length > 0 ? { created, skipped, groups: groups.length } : { created, skipped };
  };
  return (ownerId: string, file: Uint8Array, format: ImportFormat = 'vcard'): Promise<ImportReport> =>
    gate.run(ownerId, () => importContacts(ownerId, file, format));
}
