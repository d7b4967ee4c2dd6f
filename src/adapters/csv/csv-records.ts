import { setImmediate as nextTurn } from 'node:timers/promises';
import { CsvError, parse } from 'csv-parse';
import { NotACsvFile, TooManyCards } from '../../domain/contact.errors.js';

/** Characters a row may hold in all: far past any real contact (notes are 2,000), far short of a hostile 5 MB cell. */
export const MAX_ROW_CHARACTERS = 262_144;
/** Text handed to the parser between two turns of the event loop. */
const CHUNK_CHARACTERS = 65_536;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN_1 = new TextDecoder('latin1');
/**
 * What Windows-1252 has at 0x80–0x9F (€, ‚, ƒ, „, …, Œ, Ž, ‘, ’, “, ”, •, –, —, ˜, ™, š, œ, ž, Ÿ);
 * the five bytes it leaves undefined stay the C1 characters of those codes. Node's TextDecoder
 * reads "windows-1252" as ISO-8859-1, which has control characters there instead.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  return LATIN_1.decode(bytes).replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!));
}

/**
 * The file's text: UTF-16 when it starts with that byte-order mark (Outlook's "Unicode" CSV),
 * else UTF-8 when the bytes are valid UTF-8 (Google), else Windows-1252 (Outlook's default on
 * Western Windows). A UTF-8 byte-order mark is dropped.
 */
export function decodeCsv(file: Uint8Array): string {
  if (file[0] === 0xff && file[1] === 0xfe) return new TextDecoder('utf-16le').decode(file.subarray(2));
  if (file[0] === 0xfe && file[1] === 0xff) return new TextDecoder('utf-16be').decode(file.subarray(2));
  const body = file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf ? file.subarray(3) : file;
  try {
    return UTF8.decode(body);
  } catch {
    return decodeWindows1252(body);
  }
}

/** No C0 control character but tab, line feed and carriage return: what text written by an address book holds. */
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/**
 * The delimiter of the header row: the one of `,`, `;` and tab it holds most (Outlook writes `;`
 * where the locale's list separator is one). Ties go to the comma.
 */
function delimiterOf(text: string): string {
  const end = text.search(/[\r\n]/);
  const header = end === -1 ? text : text.slice(0, end);
  const count = (c: string) => header.split(c).length - 1;
  const counts: [string, number][] = [
    [',', count(',')],
    [';', count(';')],
    ['\t', count('\t')],
  ];
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

/** Where to cut the text so that no surrogate pair is split between two chunks. */
function cutAt(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at + 1 : at;
}

function problemOf(error: unknown): NotACsvFile {
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines;
    const where = typeof line === 'number' ? ` (line ${line})` : '';
    if (error.code === 'CSV_MAX_RECORD_SIZE') return new NotACsvFile(`a row is longer than ${MAX_ROW_CHARACTERS.toLocaleString('en')} characters${where}`);
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') return new NotACsvFile(`a quoted cell is never closed${where}`);
    return new NotACsvFile(`it cannot be read as CSV${where}`);
  }
  throw error;
}

/**
 * The rows of a CSV file, the header row first, each a list of cells. Rows with nothing in them
 * are left out. The text is handed to csv-parse a chunk at a time with a turn of the event loop
 * between chunks, so a large file never holds up other requests; the parser's work is linear in
 * the text, and a row past MAX_ROW_CHARACTERS stops it. More than `maxRows` rows after the header
 * is TooManyCards, raised as soon as the row past it is read.
 */
export async function readCsvRecords(file: Uint8Array, maxRows: number): Promise<string[][]> {
  const text = decodeCsv(file);
  if (BINARY.test(text)) throw new NotACsvFile('it holds binary data, not text');
  if (text.trim() === '') throw new NotACsvFile('it is empty');

  const records: string[][] = [];
  let failure: unknown;
  const parser = parse({
    delimiter: delimiterOf(text),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: MAX_ROW_CHARACTERS,
  });
  parser.on('data', (record: string[]) => {
    if (failure !== undefined) return;
    if (record.every((cell) => cell.trim() === '')) return;
    if (records.length > maxRows) failure = new TooManyCards(maxRows);
    else records.push(record);
  });
  let parseError: unknown;
  const finished = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('error', (error) => {
      parseError ??= error;
      resolve();
    });
  });

  for (let at = 0; at < text.length && failure === undefined && parseError === undefined; ) {
    const end = cutAt(text, at + CHUNK_CHARACTERS);
    parser.write(text.slice(at, end));
    at = end;
    await nextTurn();
  }
  if (parseError === undefined) parser.end();
  await finished;
  if (parseError !== undefined) failure ??= problemOf(parseError);
  if (failure !== undefined) throw failure;
  return records;
}
