import { setImmediate as nextTurn } from 'node:timers/promises';
import { allCards, type CardRead, type ContactFileReader } from '../../application/ports/contact-card-format.js';
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
  read(file: Uint8Array, maxCards: number): Promise<CardRead[]> {
    return allCards(this.readBatches(file, maxCards, maxCards));
  }

  async *readBatches(file: Uint8Array, maxCards: number, batchSize: number): AsyncGenerator<CardRead[]> {
    const records: (string[] | undefined)[] = await readCsvRecords(file, maxCards);
    const header = records[0];
    const layout = header ? layoutOf(header) : null;
    if (!header || layout === null) throw new UnknownCsvLayout();
    const columns = columnsOf(header);
    const has = (column: string) => columns.has(column);
    let batch: CardRead[] = [];
    for (let i = 1; i < records.length; i += 1) {
      const row = rowOf(columns, records[i]!);
      // A row's cells are dropped once it is mapped.
      records[i] = undefined;
      batch.push(layout === 'google' ? googleCard(row, has) : outlookCard(row));
      if (i % ROWS_PER_TURN === 0) await nextTurn();
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}
