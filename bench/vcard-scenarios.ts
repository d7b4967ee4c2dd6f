/**
 * The vCard scenarios of `npm run bench` (key `vcard`): POST /api/contacts/import of 5,000 cards
 * into one book, repeated until the book is large, then GET /api/contacts/export of that whole book,
 * with the API's peak RSS during the export. Sequential single requests, timed end to end: what a
 * user waits for, not a throughput.
 */
import type { Target } from './report.js';
import type { SeededUser } from './seed.js';

export interface VCardBenchOptions {
  apiUrl: string;
  /** A user whose book the scenarios fill (its existing contacts stay). */
  user: SeededUser;
  /** Cards per import (5,000) and imports in a row (the book then holds cardsPerImport × imports). */
  cardsPerImport: number;
  imports: number;
  tag: string;
  /** Starts a metrics window on the API (reset) and reads it back: peak RSS during the export. */
  window: () => Promise<{ windowPeakRssBytes: number; rssBytes: number }>;
  log: (line: string) => void;
}

export interface VCardBenchResult {
  importSeconds: number[];
  cardsPerImport: number;
  export: { contacts: number; bytes: number; seconds: number; firstByteSeconds: number; peakRssMB: number; rssBeforeMB: number } | null;
  failure?: string;
}

/** A realistic mix: most cards with email and phone, some with notes, a third with a year-less birthday. */
function cards(count: number, tag: string, batch: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = batch * count + i;
    const month = String(1 + (n % 12)).padStart(2, '0');
    const day = String(1 + (n % 28)).padStart(2, '0');
    lines.push(
      'BEGIN:VCARD',
      'VERSION:3.0',
      `N:Family${n};Given${n};;;`,
      `FN:Given${n} Family${n}`,
      `EMAIL;TYPE=INTERNET:vcard-${tag}-${n}@example.com`,
      `TEL;TYPE=CELL:+44 20 7946 ${String(n % 10000).padStart(4, '0')}`,
      n % 3 === 0 ? `BDAY;X-APPLE-OMIT-YEAR=1604:1604-${month}-${day}` : `BDAY:19${50 + (n % 50)}${month}${day}`,
      ...(n % 4 === 0 ? [`NOTE:Met at conference #${n}\\, hall ${n % 7}`] : []),
      'END:VCARD',
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runVCardScenarios(o: VCardBenchOptions): Promise<VCardBenchResult> {
  const auth = { authorization: `Bearer ${o.user.accessToken}` };
  const result: VCardBenchResult = { importSeconds: [], cardsPerImport: o.cardsPerImport, export: null };
  try {
    for (let batch = 0; batch < o.imports; batch += 1) {
      const body = cards(o.cardsPerImport, o.tag, batch);
      const started = process.hrtime.bigint();
      const response = await fetch(`${o.apiUrl}/api/contacts/import`, { method: 'POST', headers: { ...auth, 'content-type': 'text/vcard' }, body });
      const report = (await response.json()) as { created?: number; skipped?: unknown[] };
      const took = seconds(started);
      if (response.status !== 200 || report.created !== o.cardsPerImport) {
        throw new Error(`import ${batch + 1} answered ${response.status}, created ${report.created}, skipped ${report.skipped?.length}`);
      }
      result.importSeconds.push(round(took, 3));
      o.log(`vcard: import ${batch + 1}/${o.imports} of ${o.cardsPerImport} cards in ${round(took, 3)} s`);
    }

    const before = await o.window();
    const started = process.hrtime.bigint();
    const response = await fetch(`${o.apiUrl}/api/contacts/export`, { headers: auth });
    if (response.status !== 200 || !response.body) throw new Error(`export answered ${response.status}`);
    let bytes = 0;
    let contacts = 0;
    let firstByteSeconds = 0;
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (bytes === 0) firstByteSeconds = seconds(started);
      bytes += chunk.length;
      contacts += decoder.decode(chunk, { stream: true }).split('END:VCARD').length - 1;
    }
    const took = seconds(started);
    const during = await o.window();
    result.export = {
      contacts,
      bytes,
      seconds: round(took, 3),
      firstByteSeconds: round(firstByteSeconds, 3),
      peakRssMB: round(during.windowPeakRssBytes / 2 ** 20, 1),
      rssBeforeMB: round(before.rssBytes / 2 ** 20, 1),
    };
    o.log(`vcard: export of ${contacts} contacts (${round(bytes / 2 ** 20, 1)} MB) in ${round(took, 3)} s, peak RSS ${result.export.peakRssMB} MB`);
  } catch (error) {
    result.failure = (error as Error).message;
    o.log(`vcard: ${result.failure}`);
  }
  return result;
}

export function vcardTargets(r: VCardBenchResult): Target[] {
  const slowest = r.importSeconds.length ? Math.max(...r.importSeconds) : null;
  return [
    {
      name: `POST /api/contacts/import of ${r.cardsPerImport} cards well under 5 s (slowest of ${r.importSeconds.length})`,
      measured: slowest !== null ? `${slowest} s` : 'n/a',
      met: slowest !== null ? slowest < 2.5 : null,
    },
    {
      name: 'GET /api/contacts/export of the whole book streams: API peak RSS during it < 200 MB',
      measured: r.export ? `${r.export.contacts} contacts, ${r.export.seconds} s, ${r.export.peakRssMB} MB` : 'n/a',
      met: r.export ? r.export.peakRssMB < 200 : null,
    },
  ];
}

export function vcardNote(r: VCardBenchResult): string {
  if (r.failure) return `vCard scenarios failed: ${r.failure}`;
  const sorted = [...r.importSeconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const e = r.export;
  return (
    `vCard: ${r.importSeconds.length} imports of ${r.cardsPerImport} cards each: median ${median} s, min ${sorted[0]} s, max ${sorted.at(-1)} s` +
    (e
      ? `; export of ${e.contacts} contacts (${round(e.bytes / 2 ** 20, 1)} MB): ${e.seconds} s, first byte after ${e.firstByteSeconds} s, API peak RSS ${e.peakRssMB} MB (${e.rssBeforeMB} MB before).`
      : '.')
  );
}
