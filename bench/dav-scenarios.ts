/**
 * Sync (#28): what a phone costs the server. A first CardDAV sync of a 5,000-contact book (PROPFIND
 * Depth 1 for the hrefs and ETags, then addressbook-multiget in batches of 100, one request after
 * another as DAVx⁵ and iOS do), and an incremental sync after 10 changes in a 50,000-contact book,
 * over CardDAV (sync-collection) and over REST (the change feed), each held to p99 ≤ 2× a single
 * GET /api/contacts/:id of the same book in the same run. The books are written straight into the
 * API's PostgreSQL schema through the repository, so it needs DATABASE_URL.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { KnexContactRepository } from '../src/adapters/persistence/knex-contact-repository.js';
import { type ContactFields, EMPTY_CONTACT_FIELDS } from '../src/domain/contact.js';
import { createDatabase } from '../src/infrastructure/database.js';
import type { Target } from './report.js';
import type { SeededUser } from './seed.js';

export const FIRST_SYNC_BOOK = 5000;
export const INCREMENTAL_BOOK = 50_000;
const MULTIGET_BATCH = 100;
const CHANGES = 10;
const BATCH = 5000;
/**
 * GET, sync-collection and the feed are measured in turn, this many times each, and each one's
 * latencies pooled: whatever else the machine does meanwhile falls on all three alike.
 */
const ROUNDS = 3;

export interface DavOptions {
  apiUrl: string;
  databaseUrl: string;
  /** Gets the 5,000-contact book. */
  smallBook: SeededUser;
  /** Gets the 50,000-contact book. */
  largeBook: SeededUser;
  /** Seconds each kind of request is measured for in all (split over ROUNDS), and how many requests are in flight. */
  durationS: number;
  connections: number;
  firstSyncRounds: number;
  log: (line: string) => void;
  /** Runs a measurement in a window of the API's metrics (its queries, and a CPU profile under --cpu-prof) named `key`. */
  window?: <T extends { requests: number }>(key: string, measure: () => Promise<T>) => Promise<T>;
}

export interface Latency {
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

export interface DavResults {
  firstSync: { cards: number; requests: number; totalMs: number[] };
  incremental: { davSync: Latency; feed: Latency; get: Latency; changesSeen: { dav: number; feed: number } };
}

const XML = 'application/xml; charset=utf-8';

function contact(i: number): ContactFields {
  return {
    ...EMPTY_CONTACT_FIELDS,
    firstName: `Person${i}`,
    lastName: `Family${i % 997}`,
    organization: `Company ${i % 500}`,
    emails: [{ value: `person${i}@example.com`, label: 'home' }],
    phones: [{ value: `+1 555 ${String(1_000_000 + i).slice(-7)}`, label: 'mobile' }],
    notes: i % 3 === 0 ? 'Met at the conference.' : null,
  };
}

async function total(apiUrl: string, user: SeededUser): Promise<number> {
  const res = await fetch(`${apiUrl}/api/contacts?limit=1`, { headers: { authorization: `Bearer ${user.accessToken}` } });
  if (res.status !== 200) throw new Error(`GET /api/contacts answered ${res.status}`);
  return ((await res.json()) as { total: number }).total;
}

/** Fills the user's book up to `size` contacts (it may already hold a few). */
async function seedBook(options: DavOptions, user: SeededUser, size: number): Promise<void> {
  const missing = size - (await total(options.apiUrl, user));
  const database = createDatabase({ databaseUrl: options.databaseUrl, dataDir: '', readPoolMax: 0 });
  try {
    for (let start = 0; start < missing; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, missing - start) }, (_, k) => contact(start + k));
      await database.knex.transaction((trx) =>
        new KnexContactRepository(trx).createMany(
          user.id,
          batch.map((fields) => ({ fields })),
        ),
      );
    }
    // Vacuumed now, not by autovacuum during the measurements: tens of thousands of new rows set it off.
    await database.knex.raw('VACUUM ANALYZE contacts');
  } finally {
    await database.close();
  }
}

/** What a request sends. */
interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface KeptAlive {
  send(sent: Sent): Promise<{ status: number; text: string }>;
  close(): void;
}

/**
 * Requests on at most `connections` kept-alive connections, as a CardDAV client sends them. Not
 * fetch: Node's fetch (undici) closes the connection after a request with a body whose method it
 * does not know to carry one (REPORT among them), so every REPORT sent through it paid a new TCP
 * connection on both sides, which no CardDAV client does (DAVx⁵'s OkHttp and iOS keep theirs).
 */
function keptAlive(apiUrl: string, connections: number): KeptAlive {
  const { hostname, port } = new URL(apiUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const send = (sent: Sent) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const headers = sent.body === undefined ? sent.headers : { ...sent.headers, 'content-length': String(Buffer.byteLength(sent.body)) };
      const req = request({ agent, hostname, port, method: sent.method, path: sent.path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(sent.body);
    });
  return { send, close: () => agent.destroy() };
}

async function dav(client: KeptAlive, user: SeededUser, method: string, path: string, body: string, depth: string): Promise<string> {
  const { status, text } = await client.send({ method, path, headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': XML, depth }, body });
  if (status !== 207) throw new Error(`${method} ${path} answered ${status}: ${text.slice(0, 300)}`);
  return text;
}

const hrefs = (multistatus: string) => [...multistatus.matchAll(/<(?:[A-Za-z0-9]+:)?href>([^<]+)<\/(?:[A-Za-z0-9]+:)?href>/g)].map((m) => m[1]!.trim());
const syncTokenOf = (multistatus: string) => /<(?:[A-Za-z0-9]+:)?sync-token>([^<]+)</.exec(multistatus)?.[1]?.trim();
const responses = (multistatus: string) => multistatus.match(/<(?:[A-Za-z0-9]+:)?response>/g)?.length ?? 0;

const bookPath = (user: SeededUser) => `/dav/addressbooks/${user.id}/contacts/`;

/** PROPFIND Depth 1, then multigets of 100: the time a phone's first sync of the whole book takes. */
async function firstSync(options: DavOptions, user: SeededUser): Promise<{ cards: number; requests: number; ms: number }> {
  const client = keptAlive(options.apiUrl, 1);
  try {
    const started = performance.now();
    const book = bookPath(user);
    const listing = await dav(
      client,
      user,
      'PROPFIND',
      book,
      '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>',
      '1',
    );
    const cards = hrefs(listing).filter((href) => href !== book && !href.endsWith('/contacts/'));
    let requests = 1;
    let received = 0;
    for (let i = 0; i < cards.length; i += MULTIGET_BATCH) {
      const batch = cards.slice(i, i + MULTIGET_BATCH);
      const body = `<?xml version="1.0" encoding="utf-8"?><c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><c:address-data/></d:prop>${batch.map((href) => `<d:href>${href}</d:href>`).join('')}</c:addressbook-multiget>`;
      const answer = await dav(client, user, 'REPORT', book, body, '1');
      received += (answer.match(/BEGIN:VCARD/g) ?? []).length;
      requests += 1;
    }
    const ms = performance.now() - started;
    if (received !== cards.length) throw new Error(`multiget returned ${received} cards of ${cards.length}`);
    return { cards: cards.length, requests, ms };
  } finally {
    client.close();
  }
}

/** `connections` loops sending one request after another for `seconds` on kept-alive connections; each one's latency. */
async function measure(options: DavOptions, sent: Sent, seconds: number): Promise<{ requests: number; latencies: number[] }> {
  const client = keptAlive(options.apiUrl, options.connections);
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (performance.now() < until) {
          const started = performance.now();
          const { status } = await client.send(sent);
          if (status >= 300) throw new Error(`${sent.method} ${sent.path} answered ${status}`);
          latencies.push(performance.now() - started);
        }
      }),
    );
  } finally {
    client.close();
  }
  return { requests: latencies.length, latencies };
}

/** The p50 and p99 of latencies pooled from several measurements. */
function latencyOf(measured: { latencies: number[] }[]): Latency {
  const latencies = measured.flatMap((m) => m.latencies).sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 100) / 100;
  return { requests: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The REST change feed's token now: walk it from the start (as a client's first sync does). */
async function feedToken(options: DavOptions, user: SeededUser): Promise<string> {
  let since = '';
  for (;;) {
    const res = await fetch(`${options.apiUrl}/api/contacts/changes?limit=1000${since ? `&since=${since}` : ''}`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    if (res.status !== 200) throw new Error(`GET /api/contacts/changes${since ? `?since=${since}` : ''} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { next: string; more: boolean };
    since = page.next;
    if (!page.more) return since;
  }
}

/** A fresh access token: a full run reaches these scenarios after the seeded ones have expired. */
async function loggedIn(apiUrl: string, user: SeededUser): Promise<SeededUser> {
  const res = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  return { ...user, accessToken: ((await res.json()) as { accessToken: string }).accessToken };
}

export async function runDavScenarios(options: DavOptions): Promise<DavResults> {
  const { apiUrl, log } = options;
  const smallBook = await loggedIn(apiUrl, options.smallBook);
  const largeBook = await loggedIn(apiUrl, options.largeBook);
  log(`dav: writing books of ${FIRST_SYNC_BOOK} and ${INCREMENTAL_BOOK} contacts`);
  await seedBook(options, smallBook, FIRST_SYNC_BOOK);
  await seedBook(options, largeBook, INCREMENTAL_BOOK);

  const totalMs: number[] = [];
  let cards = 0;
  let requests = 0;
  for (let round = 0; round < options.firstSyncRounds; round++) {
    const run = await firstSync(options, smallBook);
    ({ cards, requests } = run);
    totalMs.push(Math.round(run.ms));
    log(`dav: first sync of ${run.cards} cards in ${run.requests} requests: ${Math.round(run.ms)} ms`);
  }

  // Both tokens taken before the 10 changes, so every sync below answers exactly those 10.
  const book = bookPath(largeBook);
  const client = keptAlive(apiUrl, 1);
  const props = await dav(
    client,
    largeBook,
    'PROPFIND',
    book,
    '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:sync-token/></d:prop></d:propfind>',
    '0',
  ).finally(() => client.close());
  const davToken = syncTokenOf(props);
  if (!davToken) throw new Error(`PROPFIND of the book has no sync-token: ${props.slice(0, 300)}`);
  const restToken = await feedToken(options, largeBook);
  const auth = { authorization: `Bearer ${largeBook.accessToken}` };
  const page = await fetch(`${apiUrl}/api/contacts?limit=${CHANGES}`, { headers: auth });
  const ids = ((await page.json()) as { items: { id: string }[] }).items.map((c) => c.id);
  for (const id of ids) {
    const res = await fetch(`${apiUrl}/api/contacts/${id}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ notes: 'changed on another device' }),
    });
    if (res.status !== 200) throw new Error(`PATCH answered ${res.status}`);
  }

  const syncBody = `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:sync-token>${davToken}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  const davSync: Sent = { method: 'REPORT', path: book, headers: { ...auth, 'content-type': XML, depth: '0' }, body: syncBody };
  const feed: Sent = { method: 'GET', path: `/api/contacts/changes?since=${restToken}&limit=100`, headers: auth };
  const get: Sent = { method: 'GET', path: `/api/contacts/${ids[0]}`, headers: auth };
  const first = keptAlive(apiUrl, 1);
  const [davAnswer, feedAnswer] = await Promise.all([first.send(davSync), first.send(feed)]).finally(() => first.close());
  const changesSeen = { dav: responses(davAnswer.text), feed: (JSON.parse(feedAnswer.text) as { changes: unknown[] }).changes.length };
  log(`dav: after ${CHANGES} changes sync-collection lists ${changesSeen.dav}, the change feed ${changesSeen.feed}`);

  const inWindow = options.window ?? (<T>(_key: string, run: () => Promise<T>) => run());
  const kinds = [
    { key: 'dav-get', sent: get },
    { key: 'dav-sync', sent: davSync },
    { key: 'dav-feed', sent: feed },
  ] as const;
  const measured = new Map<string, { latencies: number[] }[]>(kinds.map((k) => [k.key, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const { key, sent } of kinds) measured.get(key)!.push(await inWindow(key, () => measure(options, sent, options.durationS / ROUNDS)));
  }
  const [getLatency, davLatency, feedLatency] = kinds.map((k) => latencyOf(measured.get(k.key)!)) as [Latency, Latency, Latency];
  log(
    `dav: p99 GET ${getLatency.p99Ms} ms, sync-collection ${davLatency.p99Ms} ms, change feed ${feedLatency.p99Ms} ms (${getLatency.requests}, ${davLatency.requests} and ${feedLatency.requests} requests)`,
  );
  return {
    firstSync: { cards, requests, totalMs },
    incremental: { davSync: davLatency, feed: feedLatency, get: getLatency, changesSeen },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export function davNote(results: DavResults, connections: number): string {
  const { firstSync, incremental } = results;
  return (
    `dav: a first CardDAV sync of ${firstSync.cards} cards (PROPFIND Depth 1, then ${firstSync.requests - 1} multigets of ${MULTIGET_BATCH}, one at a time) took ${median(firstSync.totalMs)} ms (median of ${firstSync.totalMs.join(', ')} ms). ` +
    `In a ${INCREMENTAL_BOOK}-contact book after ${CHANGES} changes, at ${connections} connections: sync-collection p99 ${incremental.davSync.p99Ms} ms (p50 ${incremental.davSync.p50Ms}), ` +
    `GET /api/contacts/changes p99 ${incremental.feed.p99Ms} ms (p50 ${incremental.feed.p50Ms}), GET /api/contacts/:id p99 ${incremental.get.p99Ms} ms (p50 ${incremental.get.p50Ms}).`
  );
}

export function davTargets(results: DavResults): Target[] {
  const { incremental } = results;
  const ratio = (latency: Latency) => Math.round((latency.p99Ms / incremental.get.p99Ms) * 100) / 100;
  return [
    {
      name: `sync-collection after ${CHANGES} changes in a ${INCREMENTAL_BOOK}-contact book lists exactly them, as the change feed does`,
      measured: `${incremental.changesSeen.dav} over CardDAV, ${incremental.changesSeen.feed} over REST`,
      met: incremental.changesSeen.dav === CHANGES && incremental.changesSeen.feed === CHANGES,
    },
    {
      name: `sync-collection (${CHANGES} changes, ${INCREMENTAL_BOOK} contacts): p99 ≤ 2× GET /api/contacts/:id's`,
      measured: `${ratio(incremental.davSync)}× (${incremental.davSync.p99Ms} ms vs ${incremental.get.p99Ms} ms)`,
      met: ratio(incremental.davSync) <= 2,
    },
    {
      name: `GET /api/contacts/changes?since= (${CHANGES} changes, ${INCREMENTAL_BOOK} contacts): p99 ≤ 2× GET /api/contacts/:id's`,
      measured: `${ratio(incremental.feed)}× (${incremental.feed.p99Ms} ms vs ${incremental.get.p99Ms} ms)`,
      met: ratio(incremental.feed) <= 2,
    },
  ];
}
