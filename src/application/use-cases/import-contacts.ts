import { utcDay } from '../../domain/birthdays.js';
import { validateContact, type ContactFields } from '../../domain/contact.js';
import { ValidationFailed } from '../../domain/errors.js';
import { emailKey } from '../../domain/validation.js';
import type { Clock } from '../ports/clock.js';
import type { ContactCardFormat } from '../ports/contact-card-format.js';
import type { UnitOfWork } from '../ports/unit-of-work.js';

export interface ImportContactsDeps {
  uow: UnitOfWork;
  cards: ContactCardFormat;
  clock: Clock;
}

export interface SkippedCard {
  /** Position of the card in the file, from 0. */
  index: number;
  name: string | null;
  reason: string;
}

export interface ImportReport {
  created: number;
  skipped: SkippedCard[];
}

/** Cards one import may hold: a 5 MiB file of the smallest cards would otherwise be 170,000 of them. */
export const MAX_CARDS_PER_IMPORT = 50_000;

const DUPLICATE_IN_BOOK = 'a contact with this email is already in your book';
const DUPLICATE_IN_FILE = 'an earlier card in this file has the same email';

/**
 * Adds every card of a vCard file to the caller's book that makes a valid contact, and reports
 * each one it skips (no name, an invalid field, an email already in the book or earlier in the
 * file). The kept cards are stored in one transaction.
 */
export function makeImportContacts(deps: ImportContactsDeps) {
  return async function importContacts(ownerId: string, file: Uint8Array): Promise<ImportReport> {
    const today = utcDay(deps.clock.now());
    const skipped: SkippedCard[] = [];
    const kept: { index: number; name: string | null; fields: ContactFields }[] = [];
    const emails = new Set<string>();

    (await deps.cards.read(file, MAX_CARDS_PER_IMPORT)).forEach((card, index) => {
      const { name } = card;
      if (!card.fields) {
        skipped.push({ index, name, reason: card.problem ?? 'the card could not be read' });
        return;
      }
      let fields: ContactFields;
      try {
        fields = validateContact(card.fields, today);
      } catch (error) {
        if (!(error instanceof ValidationFailed)) throw error;
        skipped.push({ index, name, reason: error.errors.map((e) => `${e.field} ${e.message}`).join('; ') });
        return;
      }
      if (fields.email !== null) {
        const key = emailKey(fields.email);
        if (emails.has(key)) {
          skipped.push({ index, name, reason: DUPLICATE_IN_FILE });
          return;
        }
        emails.add(key);
      }
      kept.push({ index, name, fields });
    });

    const stored =
      kept.length === 0
        ? []
        : await deps.uow.run((repos) =>
            repos.contacts.createMany(
              ownerId,
              kept.map((k) => k.fields),
            ),
          );
    stored.forEach((ok, i) => {
      if (!ok) skipped.push({ index: kept[i]!.index, name: kept[i]!.name, reason: DUPLICATE_IN_BOOK });
    });
    skipped.sort((a, b) => a.index - b.index);
    return { created: stored.filter(Boolean).length, skipped };
  };
}
