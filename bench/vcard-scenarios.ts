/**
 * The vCard scenarios of `npm run bench` (key `vcard`): POST /api/contacts/import of 5,000 rich cards
 * (every field of the model, kept properties, a photo on every fifth card) into one book, with the
 * API's worst event-loop delay during each import, repeated until the book is large, then GET
 * /api/contacts/export of that whole book, photos inline, with the API's peak RSS during the export.
 * Sequential single requests, timed end to end: what a user waits for, not a throughput.
 */
import sharp from 'sharp';
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
  /**
   * Reads the API's metrics window and starts a new one; `profile` names the window about to
   * start when --cpu-prof profiles it (the profile comes back with the next call).
   */
  window: (profile?: string) => Promise<VCardWindow>;
  log: (line: string) => void;
}

/** What the scenarios read of the API's metrics window (bench/bench-metrics.ts). */
export interface VCardWindow {
  windowPeakRssBytes: number;
  windowPeakMemory: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
  rssBytes: number;
  eventLoopDelay: { maxMs: number };
  gc: { maxPauseMs: number };
}

/** The API's memory over one scenario's window: its peak RSS and how V8's heap and the rest split it. */
export interface WindowMemory {
  peakRssMB: number;
  heapUsedMB: number;
  externalMB: number;
  rssAfterMB: number;
}

export interface VCardBenchResult {
  importSeconds: number[];
  /** The API's worst event-loop delay during each import. */
  importDelayMaxMs: number[];
  /** The API's longest garbage-collection pause during each import. */
  importGcMaxPauseMs: number[];
  /** The API's memory during each import. */
  importMemory: WindowMemory[];
  photosPerImport: number;
  cardsPerImport: number;
  export: {
    contacts: number;
    bytes: number;
    seconds: number;
    firstByteSeconds: number;
    peakRssMB: number;
    rssBeforeMB: number;
    memory: WindowMemory;
    delayMaxMs: number;
  } | null;
  failure?: string;
}

/** Every PHOTO_EVERY-th card carries a photo of its own (a distinct 96×96 JPEG, as a phone's export holds). */
const PHOTO_EVERY = 5;

/** A small JPEG, different for every n, base64 as a vCard 3.0 PHOTO holds it. */
async function photo(n: number): Promise<string> {
  const jpeg = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: n % 256, g: (n >> 8) % 256, b: (n * 7) % 256 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
  return jpeg.toString('base64');
}

/**
 * Rich cards as a phone exports them: names, nickname, organization and title, two emails and
 * phones (one with a custom label), an address, a URL, labels, an anniversary, notes on some, a
 * few properties the model keeps without a field (IMPP, X-SOCIALPROFILE, RELATED), a year-less
 * birthday on a third, and a photo on every fifth.
 */
export async function cards(count: number, tag: string, batch: number): Promise<string> {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = batch * count + i;
    const month = String(1 + (n % 12)).padStart(2, '0');
    const day = String(1 + (n % 28)).padStart(2, '0');
    const phone = String(n % 10000).padStart(4, '0');
    lines.push(
      'BEGIN:VCARD',
      'VERSION:3.0',
      `UID:bench-${tag}-${n}`,
      `N:Family${n};Given${n};Middle;Dr.;Jr.`,
      `FN:Dr. Given${n} Middle Family${n} Jr.`,
      `NICKNAME:G${n}`,
      `ORG:Company ${n % 97};Department ${n % 7}`,
      'TITLE:Engineer',
      `EMAIL;TYPE=INTERNET,HOME,pref:vcard-${tag}-${n}@example.com`,
      `EMAIL;TYPE=INTERNET,WORK:work-${tag}-${n}@example.org`,
      `TEL;TYPE=CELL,pref:+44 20 7946 ${phone}`,
      `item1.TEL:+44 20 7000 ${phone}`,
      'item1.X-ABLabel:Office',
      `ADR;TYPE=HOME:;;${n} Main Street;Springfield;IL;62701;USA`,
      `URL;TYPE=WORK:https://example.com/people/${n}`,
      `CATEGORIES:Friends,Team ${n % 5}`,
      `X-ANNIVERSARY:20${String(n % 20).padStart(2, '0')}-${month}-${day}`,
      `IMPP;X-SERVICE-TYPE=Skype:skype:given${n}`,
      `X-SOCIALPROFILE;TYPE=twitter:https://twitter.com/given${n}`,
      `RELATED;TYPE=spouse:Partner ${n}`,
      n % 3 === 0 ? `BDAY;X-APPLE-OMIT-YEAR=1604:1604-${month}-${day}` : `BDAY:19${50 + (n % 50)}${month}${day}`,
      ...(n % 4 === 0 ? [`NOTE:Met at conference #${n}\\, hall ${n % 7}`] : []),
      ...(n % PHOTO_EVERY === 0 ? [`PHOTO;ENCODING=b;TYPE=JPEG:${await photo(n)}`] : []),
      'END:VCARD',
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
const memoryOf = (w: VCardWindow): WindowMemory => ({
  peakRssMB: mb(w.windowPeakRssBytes),
  heapUsedMB: mb(w.windowPeakMemory.heapUsed),
  externalMB: mb(w.windowPeakMemory.external),
  rssAfterMB: mb(w.rssBytes),
});

export async function runVCardScenarios(o: VCardBenchOptions): Promise<VCardBenchResult> {
  const auth = { authorization: `Bearer ${o.user.accessToken}` };
  const result: VCardBenchResult = {
    importSeconds: [],
    importDelayMaxMs: [],
    importGcMaxPauseMs: [],
    importMemory: [],
    photosPerImport: Math.ceil(o.cardsPerImport / PHOTO_EVERY),
    cardsPerImport: o.cardsPerImport,
    export: null,
  };
  try {
    for (let batch = 0; batch < o.imports; batch += 1) {
      const body = await cards(o.cardsPerImport, o.tag, batch);
      await o.window(`vcard-import-${batch + 1}`);
      const started = process.hrtime.bigint();
      const response = await fetch(`${o.apiUrl}/api/contacts/import`, { method: 'POST', headers: { ...auth, 'content-type': 'text/vcard' }, body });
      const report = (await response.json()) as { created?: number; skipped?: unknown[] };
      const took = seconds(started);
      if (response.status !== 200 || report.created !== o.cardsPerImport) {
        throw new Error(`import ${batch + 1} answered ${response.status}, created ${report.created}, skipped ${report.skipped?.length}`);
      }
      const window = await o.window();
      const delay = round(window.eventLoopDelay.maxMs, 1);
      const memory = memoryOf(window);
      result.importSeconds.push(round(took, 3));
      result.importDelayMaxMs.push(delay);
      result.importGcMaxPauseMs.push(round(window.gc.maxPauseMs, 1));
      result.importMemory.push(memory);
      o.log(
        `vcard: import ${batch + 1}/${o.imports} of ${o.cardsPerImport} rich cards in ${round(took, 3)} s, worst event-loop delay ${delay} ms ` +
          `(longest GC pause ${round(window.gc.maxPauseMs, 1)} ms), peak RSS ${memory.peakRssMB} MB (heap ${memory.heapUsedMB} MB, external ${memory.externalMB} MB)`,
      );
    }

    const before = await o.window('vcard-export');
    const started = process.hrtime.bigint();
    const response = await fetch(`${o.apiUrl}/api/contacts/export`, { headers: auth });
    if (response.status !== 200 || !response.body) throw new Error(`export answered ${response.status}`);
    let bytes = 0;
    let contacts = 0;
    let firstByteSeconds = 0;
    const decoder = new TextDecoder();
    // The end of a chunk is carried into the next, so that an END:VCARD split between two is counted.
    const marker = 'END:VCARD';
    let tail = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (bytes === 0) firstByteSeconds = seconds(started);
      bytes += chunk.length;
      const text = tail + decoder.decode(chunk, { stream: true });
      contacts += text.split(marker).length - 1;
      const lastEnd = text.lastIndexOf(marker);
      tail = text.slice(Math.max(lastEnd === -1 ? 0 : lastEnd + marker.length, text.length - (marker.length - 1)));
    }
    const took = seconds(started);
    const during = await o.window();
    result.export = {
      contacts,
      bytes,
      seconds: round(took, 3),
      firstByteSeconds: round(firstByteSeconds, 3),
      peakRssMB: mb(during.windowPeakRssBytes),
      rssBeforeMB: mb(before.rssBytes),
      memory: memoryOf(during),
      delayMaxMs: round(during.eventLoopDelay.maxMs, 1),
    };
    o.log(
      `vcard: export of ${contacts} contacts (${mb(bytes)} MB) in ${round(took, 3)} s, peak RSS ${result.export.peakRssMB} MB ` +
        `(${result.export.rssBeforeMB} MB before; heap ${result.export.memory.heapUsedMB} MB), worst event-loop delay ${result.export.delayMaxMs} ms`,
    );
  } catch (error) {
    result.failure = (error as Error).message;
    o.log(`vcard: ${result.failure}`);
  }
  return result;
}

export function vcardTargets(r: VCardBenchResult): Target[] {
  const slowest = r.importSeconds.length ? Math.max(...r.importSeconds) : null;
  const worstDelay = r.importDelayMaxMs.length ? Math.max(...r.importDelayMaxMs) : null;
  return [
    {
      name: `POST /api/contacts/import of ${r.cardsPerImport} rich cards (${r.photosPerImport} photos) well under 10 s (slowest of ${r.importSeconds.length})`,
      measured: slowest !== null ? `${slowest} s` : 'n/a',
      met: slowest !== null ? slowest < 5 : null,
    },
    {
      name: 'the API event loop during those imports: worst delay < 100 ms',
      measured: worstDelay !== null ? `${worstDelay} ms` : 'n/a',
      met: worstDelay !== null ? worstDelay < 100 : null,
    },
    {
      name: 'the API peak RSS during those imports < 200 MB',
      measured: r.importMemory.length ? `${Math.max(...r.importMemory.map((m) => m.peakRssMB))} MB` : 'n/a',
      met: r.importMemory.length ? Math.max(...r.importMemory.map((m) => m.peakRssMB)) < 200 : null,
    },
    {
      name: 'GET /api/contacts/export of the whole book of rich contacts, photos inline, streams: API peak RSS during it < 200 MB',
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
    `vCard: ${r.importSeconds.length} imports of ${r.cardsPerImport} rich cards (${r.photosPerImport} photos) each: ${r.importSeconds.join(', ')} s ` +
    `(median ${median} s); worst event-loop delay per import ${r.importDelayMaxMs.join(', ')} ms (longest GC pause ${r.importGcMaxPauseMs.join(', ')} ms); ` +
    `API peak RSS per import ${r.importMemory.map((m) => m.peakRssMB).join(', ')} MB (V8 heap at the peak ${r.importMemory.map((m) => m.heapUsedMB).join(', ')} MB)` +
    (e
      ? `; export of ${e.contacts} contacts (${mb(e.bytes)} MB): ${e.seconds} s, first byte after ${e.firstByteSeconds} s, API peak RSS ${e.peakRssMB} MB (${e.rssBeforeMB} MB before, heap ${e.memory.heapUsedMB} MB at the peak), worst event-loop delay ${e.delayMaxMs} ms.`
      : '.')
  );
}

export interface HostileImportOptions {
  apiUrl: string;
  /** Whose book receives the import (nothing is created: every card is refused). */
  user: SeededUser;
  /** Whose contacts list is read meanwhile. */
  reader: SeededUser;
  /** Body size (CONTACTS_IMPORT_MAX_BYTES, 5 MiB). */
  bytes: number;
  /** Loops of sequential reads running beside the import. */
  readers: number;
  /** Starts a metrics window on the API (reset) and reads it back: the event loop's worst delay. */
  window: () => Promise<{ eventLoopDelay: { maxMs: number; p99Ms: number } }>;
  log: (line: string) => void;
}

export interface HostileImportResult {
  bytes: number;
  cards: number;
  importSeconds: number;
  status: number;
  eventLoopDelayMaxMs: number;
  eventLoopDelayP99Ms: number;
  /** The same reads for as long, without the import: what the reads alone cost the event loop. */
  readsAloneDelayMaxMs: number;
  reads: number;
  readMaxMs: number;
  failure?: string;
}

/** Issue 25's hostile card: a quoted-printable NOTE with a long parameter and many soft line breaks. */
function hostileCard(i: number): string {
  const breaks = Array.from({ length: 20_000 }, () => 'a=').join('\r\n');
  return `BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Hostile ${i}\r\nNOTE;ENCODING=QUOTED-PRINTABLE;X-P=${'X'.repeat(40_000)}:${breaks}\r\nEND:VCARD\r\n`;
}

/**
 * POST /api/contacts/import of a body of hostile cards as large as the import allows, while
 * `readers` loops read GET /api/contacts: the import's time, the API's worst event-loop delay over
 * the import, and the slowest read meanwhile.
 */
export async function runHostileImport(o: HostileImportOptions): Promise<HostileImportResult> {
  const cards: string[] = [];
  let size = 0;
  for (let i = 0; size + hostileCard(i).length <= o.bytes; i += 1) {
    cards.push(hostileCard(i));
    size += cards.at(-1)!.length;
  }
  const body = cards.join('');
  const result: HostileImportResult = {
    bytes: size,
    cards: cards.length,
    importSeconds: 0,
    status: 0,
    eventLoopDelayMaxMs: 0,
    eventLoopDelayP99Ms: 0,
    readsAloneDelayMaxMs: 0,
    reads: 0,
    readMaxMs: 0,
  };
  try {
    let importing = true;
    let counting = true;
    const readLoop = async () => {
      while (importing) {
        const started = process.hrtime.bigint();
        const response = await fetch(`${o.apiUrl}/api/contacts?limit=20`, { headers: { authorization: `Bearer ${o.reader.accessToken}` } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`a read beside the import answered ${response.status}`);
        if (!counting) continue;
        result.reads += 1;
        result.readMaxMs = Math.max(result.readMaxMs, seconds(started) * 1000);
      }
    };
    // A warm-up import of a sixteenth of the body (the code compiled, as on a server that has
    // imported before) beside the reads, then the reads alone for 2 s: their own cost to the loop.
    counting = false;
    await o.window();
    const warmUp = fetch(`${o.apiUrl}/api/contacts/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.user.accessToken}`, 'content-type': 'text/vcard' },
      body: cards.slice(0, Math.max(1, Math.floor(cards.length / 16))).join(''),
    }).then((response) => response.arrayBuffer());
    const alone = Promise.all(Array.from({ length: o.readers }, readLoop));
    await warmUp;
    await o.window();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    importing = false;
    await alone;
    result.readsAloneDelayMaxMs = round((await o.window()).eventLoopDelay.maxMs, 1);
    importing = true;
    counting = true;
    const started = process.hrtime.bigint();
    const importing$ = fetch(`${o.apiUrl}/api/contacts/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.user.accessToken}`, 'content-type': 'text/vcard' },
      body,
    }).then(async (response) => {
      await response.arrayBuffer();
      result.importSeconds = round(seconds(started), 3);
      result.status = response.status;
      importing = false;
    });
    await Promise.all([importing$, ...Array.from({ length: o.readers }, readLoop)]);
    const window = await o.window();
    result.eventLoopDelayMaxMs = round(window.eventLoopDelay.maxMs, 1);
    result.eventLoopDelayP99Ms = round(window.eventLoopDelay.p99Ms, 1);
    result.readMaxMs = round(result.readMaxMs, 1);
    if (result.status !== 200) throw new Error(`the hostile import answered ${result.status}`);
    o.log(
      `vcard-hostile: ${cards.length} cards, ${round(size / 2 ** 20, 1)} MiB in ${result.importSeconds} s; worst event-loop delay ${result.eventLoopDelayMaxMs} ms; ${result.reads} reads meanwhile, slowest ${result.readMaxMs} ms`,
    );
  } catch (error) {
    result.failure = (error as Error).message;
    o.log(`vcard-hostile: ${result.failure}`);
  }
  return result;
}

export function hostileImportTargets(r: HostileImportResult): Target[] {
  const ok = !r.failure;
  return [
    {
      name: `POST /api/contacts/import of a ${round(r.bytes / 2 ** 20, 1)} MiB hostile body (${r.cards} quoted-printable cards of long parameters and soft breaks) beside reads: API worst event-loop delay < 100 ms`,
      measured: ok
        ? `${r.eventLoopDelayMaxMs} ms (reads alone ${r.readsAloneDelayMaxMs} ms; import ${r.importSeconds} s, slowest of ${r.reads} reads ${r.readMaxMs} ms)`
        : 'n/a',
      met: ok ? r.eventLoopDelayMaxMs < 100 : null,
    },
  ];
}

export function hostileImportNote(r: HostileImportResult): string {
  if (r.failure) return `Hostile vCard import failed: ${r.failure}`;
  return `Hostile vCard import: ${r.cards} cards, ${round(r.bytes / 2 ** 20, 2)} MiB, answered ${r.status} in ${r.importSeconds} s; API event-loop delay max ${r.eventLoopDelayMaxMs} ms, p99 ${r.eventLoopDelayP99Ms} ms (the same reads alone for 2 s: max ${r.readsAloneDelayMaxMs} ms); ${r.reads} GET /api/contacts meanwhile, slowest ${r.readMaxMs} ms.`;
}
