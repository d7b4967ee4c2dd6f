import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CardRead, ContactFileReader } from '../../application/ports/contact-card-format.js';
import { UnknownCsvLayout } from '../../domain/contact.errors.js';
import { columnsOf, googleCard, layoutOf, outlookCard, rowOf } from './csv-layouts.js';
import { readCsvRecords } from './csv-records.js';

/** Rows mapped between two turns of the event loop: a few milliseconds of work, well under what other requests would notice. */
const ROWS_PER_TURN = 200;

/**
 * Contacts from a CSV file as Google Contacts (both its header rows) and Outlook export them: the
 * header row says which, each later row is one card (blank rows are not cards). Any other header
 * row is UnknownCsvLayout, bytes that are not CSV text NotACsvFile (csv-records.ts).
 */
export class CsvContactFileReader implements ContactFileReader {
  async read(file: Uint8Array, maxCards: number): Promise<CardRead[]> {
    const [header, ...rows] = await readCsvRecords(file, maxCards);
    const layout = header ? layoutOf(header) : null;
    if (!header || layout === null) throw new UnknownCsvLayout();
    const columns = columnsOf(header);
    const has = (column: string) => columns.has(column);
    const cards: CardRead[] = [];
    for (const [i, cells] of rows.entries()) {
      const row = rowOf(columns, cells);
      cards.push(layout === 'google' ? googleCard(row, has) : outlookCard(row));
      if (i % ROWS_PER_TURN === ROWS_PER_TURN - 1) await nextTurn();
    }
    return cards;
  }
}
