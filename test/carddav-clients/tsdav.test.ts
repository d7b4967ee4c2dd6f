import type { ExecutionContext } from 'ava';
import { createDAVClient, type DAVAddressBook, type DAVVCard } from 'tsdav';
import type { ContactView } from '../../src/domain/contact.js';
import { BACKENDS, redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';

/*
 * tsdav is the CardDAV client of many web and Node address books: these tests drive the server
 * through it (discovery, multiget, query, sync-collection) as such an app does, with an app
 * password over Basic, and check that what it sees is what REST sees.
 */

type Client = Awaited<ReturnType<typeof createDAVClient>>;

interface DavUser {
  token: string;
  email: string;
  /** The app password. */
  password: string;
  accountPassword: string;
  userId: string;
  client: Client;
  book: DAVAddressBook;
}

async function appPassword(app: TestApp, token: string, currentPassword: string): Promise<string> {
  const res = await app.request('/api/users/me/app-passwords', { method: 'POST', token, json: { name: "Anna's phone", currentPassword } });
  if (res.status !== 201) throw new Error(`POST /api/users/me/app-passwords answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { password: string }).password;
}

async function davUser(app: TestApp, serverUrl = `${app.url}/dav/`): Promise<DavUser> {
  const user = await signUpAndLogIn(app);
  const password = await appPassword(app, user.accessToken, user.password);
  const client = await createDAVClient({
    serverUrl,
    credentials: { username: user.email, password },
    authMethod: 'Basic',
    defaultAccountType: 'carddav',
  });
  const books = await client.fetchAddressBooks();
  if (books.length !== 1) throw new Error(`expected one address book, got ${books.length}`);
  return { token: user.accessToken, email: user.email, password, accountPassword: user.password, userId: user.userId, client, book: books[0]! };
}

function card(uid: string, first: string, last: string, extra: string[] = []): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${first} ${last}`, `N:${last};${first};;;`, ...extra, 'END:VCARD', ''].join('\r\n');
}

async function restContacts(app: TestApp, token: string): Promise<ContactView[]> {
  const res = await app.request('/api/contacts?limit=100', { token });
  if (res.status !== 200) throw new Error(`GET /api/contacts answered ${res.status}`);
  return ((await res.json()) as { items: ContactView[] }).items;
}

async function restByName(app: TestApp, token: string, firstName: string): Promise<ContactView> {
  const found = (await restContacts(app, token)).filter((c) => c.firstName === firstName);
  if (found.length !== 1) throw new Error(`${found.length} REST contacts named ${firstName}`);
  return found[0]!;
}

async function restEtag(app: TestApp, token: string, id: string): Promise<string> {
  const res = await app.request(`/api/contacts/${id}`, { token });
  if (res.status !== 200) throw new Error(`GET /api/contacts/${id} answered ${res.status}`);
  return res.headers.get('etag')!;
}

/** Where the change feed stands now: walked from the start, as a client's first sync does. */
async function feedPosition(app: TestApp, token: string): Promise<string> {
  for (let since = ''; ; ) {
    const res = await app.request(`/api/contacts/changes?limit=1000${since ? `&since=${since}` : ''}`, { token });
    if (res.status !== 200) throw new Error(`GET /api/contacts/changes answered ${res.status}`);
    const page = (await res.json()) as { next: string; more: boolean };
    since = page.next;
    if (!page.more) return since;
  }
}

function suite(it: (title: string, body: (t: ExecutionContext, app: TestApp) => Promise<void>) => void) {
  it('discovery from /dav/ and from the bare origin (well-known) finds one address book of the caller, with a ctag and a sync token', async (t, app) => {
    const user = await davUser(app);
    t.true(user.book.url.endsWith(`/dav/addressbooks/${user.userId}/contacts/`), user.book.url);
    t.not(user.book.ctag, undefined);
    t.truthy(user.book.syncToken);
    t.true(JSON.stringify(user.book.resourcetype).includes('addressbook'));
    t.true((user.book.reports as string[] | undefined)?.includes('syncCollection') ?? false, JSON.stringify(user.book.reports));

    const viaOrigin = await createDAVClient({
      serverUrl: app.url,
      credentials: { username: user.email, password: user.password },
      authMethod: 'Basic',
      defaultAccountType: 'carddav',
    });
    const books = await viaOrigin.fetchAddressBooks();
    t.deepEqual(
      books.map((b) => new URL(b.url).pathname),
      [`/dav/addressbooks/${user.userId}/contacts/`],
    );
  });

  it('the account password, a wrong app password or no credentials are refused with 401 and a Basic challenge', async (t, app) => {
    const user = await davUser(app);
    for (const password of [user.password.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')), user.accountPassword]) {
      const res = await fetch(user.book.url, {
        method: 'PROPFIND',
        headers: { Depth: '0', Authorization: `Basic ${Buffer.from(`${user.email}:${password}`).toString('base64')}` },
      });
      t.is(res.status, 401);
      t.regex(res.headers.get('www-authenticate') ?? '', /^Basic realm="Contacts"(,|$)/);
    }
    const anonymous = await fetch(user.book.url, { method: 'PROPFIND', headers: { Depth: '0' } });
    t.is(anonymous.status, 401);
  });

  it('createVCard, updateVCard and deleteVCard with ETags: the card is the REST contact, with the same ETag; a stale ETag is 412', async (t, app) => {
    const user = await davUser(app);
    const created = await user.client.createVCard({
      addressBook: user.book,
      filename: 'anna-card.vcf',
      vCardString: card('uid-anna-1', 'Anna', 'Lind', [
        'EMAIL;TYPE=INTERNET,HOME:anna@example.com',
        'X-SOCIALPROFILE;TYPE=mastodon:https://example.social/@anna',
      ]),
    });
    t.is(created.status, 201);
    const davEtag = created.headers.get('etag') ?? undefined;
    t.truthy(davEtag);
    const rest = await restByName(app, user.token, 'Anna');
    t.like(rest, { lastName: 'Lind', email: 'anna@example.com' });
    t.is(await restEtag(app, user.token, rest.id), String(davEtag));

    // Again with If-None-Match: * (createVCard always sends it) → 412, nothing changes.
    const again = await user.client.createVCard({ addressBook: user.book, filename: 'anna-card.vcf', vCardString: card('uid-anna-1', 'Anna', 'Other') });
    t.is(again.status, 412);

    const [fetched] = await user.client.fetchVCards({ addressBook: user.book });
    t.truthy(fetched);
    t.true(fetched!.url.endsWith('/anna-card.vcf'), fetched!.url);
    t.is(fetched!.etag, davEtag);
    t.regex(fetched!.data as string, /X-SOCIALPROFILE;TYPE=mastodon:https:\/\/example\.social\/@anna/);

    const updated = await user.client.updateVCard({ vCard: { ...fetched!, data: card('uid-anna-1', 'Anna', 'Berg', ['EMAIL:anna@example.com']) } });
    t.true(updated.status === 204 || updated.status === 201, String(updated.status));
    const newEtag = updated.headers.get('etag') ?? undefined;
    t.truthy(newEtag);
    t.not(newEtag, davEtag);
    t.is((await restByName(app, user.token, 'Anna')).lastName, 'Berg');
    t.is(await restEtag(app, user.token, rest.id), String(newEtag));

    // The copy still holding the first ETag must not overwrite the newer card, nor delete it.
    const stale = await user.client.updateVCard({ vCard: { ...fetched!, data: card('uid-anna-1', 'Anna', 'Stale') } });
    t.is(stale.status, 412);
    t.is((await user.client.deleteVCard({ vCard: fetched! })).status, 412);
    t.is((await restByName(app, user.token, 'Anna')).lastName, 'Berg');

    const deleted = await user.client.deleteVCard({ vCard: { ...fetched!, etag: newEtag! } });
    t.is(deleted.status, 204);
    t.deepEqual(await restContacts(app, user.token), []);
    const trash = await app.request('/api/contacts/trash', { token: user.token });
    t.deepEqual(
      ((await trash.json()) as { items: ContactView[] }).items.map((c) => c.id),
      [rest.id],
    );
    t.deepEqual(await user.client.fetchVCards({ addressBook: user.book }), []);
  });

  it('fetchVCards by multiget returns exactly the cards asked for, and addressBookQuery filters on FN and EMAIL', async (t, app) => {
    const user = await davUser(app);
    const names = [
      ['Zed', 'Alpha', 'zed@example.com'],
      ['Yara', 'Beta', 'yara@work.example'],
      ['Xavier', 'Gamma', 'x@example.com'],
    ] as const;
    for (const [i, [first, last, email]] of names.entries()) {
      const res = await user.client.createVCard({
        addressBook: user.book,
        filename: `c${i}.vcf`,
        vCardString: card(`uid-q-${i}`, first, last, [`EMAIL:${email}`]),
      });
      t.is(res.status, 201);
    }
    const all = await user.client.fetchVCards({ addressBook: user.book });
    t.is(all.length, 3);
    const wanted = all.filter((c) => !c.url.endsWith('/c1.vcf')).map((c) => new URL(c.url).pathname);
    const some = await user.client.fetchVCards({ addressBook: user.book, objectUrls: wanted, useMultiGet: true });
    t.deepEqual(some.map((c) => new URL(c.url).pathname).sort(), [...wanted].sort());
    for (const c of some) t.regex(c.data as string, /^BEGIN:VCARD/);

    const query = async (filters: Record<string, unknown>) =>
      (await user.client.addressBookQuery({ url: user.book.url, props: { 'd:getetag': {}, 'card:address-data': {} }, filters, depth: '1' }))
        .filter((r) => r.status === 200 || r.ok)
        .map((r) => r.href!.split('/').pop())
        .sort();
    const textMatch = (name: string, text: string) => ({
      'card:prop-filter': {
        _attributes: { name },
        'card:text-match': { _attributes: { collation: 'i;unicode-casemap', 'match-type': 'contains' }, _text: text },
      },
    });
    t.deepEqual(await query(textMatch('FN', 'zed')), ['c0.vcf']);
    t.deepEqual(await query(textMatch('EMAIL', 'WORK.example')), ['c1.vcf']);
    t.deepEqual(
      await query({
        _attributes: { test: 'anyof' },
        'card:prop-filter': [textMatch('FN', 'gamma')['card:prop-filter'], textMatch('EMAIL', 'zed@')['card:prop-filter']],
      }),
      ['c0.vcf', 'c2.vcf'],
    );
    t.deepEqual(
      await query({
        _attributes: { test: 'allof' },
        'card:prop-filter': [textMatch('FN', 'gamma')['card:prop-filter'], textMatch('EMAIL', 'zed@')['card:prop-filter']],
      }),
      [],
    );
  });

  it('smartCollectionSyncDetailed (sync-collection) reports cards created, updated and deleted through DAV and REST, with the ETag REST shows', async (t, app) => {
    const user = await davUser(app);
    for (const i of [0, 1, 2]) {
      const res = await user.client.createVCard({ addressBook: user.book, filename: `s${i}.vcf`, vCardString: card(`uid-s-${i}`, `Sync${i}`, 'Person') });
      t.is(res.status, 201);
    }
    // The client's first full sync: every card, and the token to continue from.
    const [book] = await user.client.fetchAddressBooks();
    const local: DAVAddressBook = { ...book!, objects: await user.client.fetchVCards({ addressBook: book! }) };
    const feedToken = await feedPosition(app, user.token);
    t.is(local.objects!.length, 3);
    t.not(book!.syncToken, user.book.syncToken);

    // Changes over REST: a new contact, an edit of s1, a delete of s2; and one over DAV.
    const added = await app.request('/api/contacts', { method: 'POST', token: user.token, json: { firstName: 'FromRest', lastName: 'Person' } });
    t.is(added.status, 201);
    const addedId = ((await added.json()) as ContactView).id;
    const s1 = await restByName(app, user.token, 'Sync1');
    const patched = await app.request(`/api/contacts/${s1.id}`, { method: 'PATCH', token: user.token, json: { notes: 'edited over REST' } });
    t.is(patched.status, 200);
    const s2 = await restByName(app, user.token, 'Sync2');
    t.is((await app.request(`/api/contacts/${s2.id}`, { method: 'DELETE', token: user.token })).status, 204);
    const viaDav = await user.client.createVCard({ addressBook: book!, filename: 's3.vcf', vCardString: card('uid-s-3', 'Sync3', 'Person') });
    t.is(viaDav.status, 201);

    const result = await user.client.smartCollectionSyncDetailed({
      collection: { ...local, objectMultiGet: user.client.addressBookMultiGet },
      method: 'webdav',
    });
    const names = (cards: DAVVCard[]) => cards.map((c) => /\nFN:([^\r\n]*)/.exec(c.data as string)?.[1]).sort();
    t.deepEqual(names(result.objects.created), ['FromRest Person', 'Sync3 Person']);
    t.deepEqual(names(result.objects.updated), ['Sync1 Person']);
    t.deepEqual(
      result.objects.deleted.map((c) => c.url.split('/').pop()),
      ['s2.vcf'],
    );
    const updated = result.objects.updated[0]!;
    t.regex(updated.data as string, /NOTE:edited over REST/);
    t.is(updated.etag, patched.headers.get('etag') ?? undefined);
    t.is(updated.etag, await restEtag(app, user.token, s1.id));
    const fromRest = result.objects.created.find((c) => (c.data as string).includes('FromRest'))!;
    t.is(fromRest.etag, await restEtag(app, user.token, addedId));
    t.is(result.objects.created.find((c) => c.url.endsWith('/s3.vcf'))?.etag, viaDav.headers.get('etag') ?? undefined);
    t.truthy(result.syncToken);
    t.not(result.syncToken, book!.syncToken);

    // The REST change feed from the same point names the same four contacts, deleted ones as such.
    const feed = await app.request(`/api/contacts/changes?since=${feedToken}`, { token: user.token });
    t.is(feed.status, 200);
    const changes = ((await feed.json()) as { changes: { id: string; deleted: boolean }[] }).changes;
    const sync3 = await restByName(app, user.token, 'Sync3');
    t.deepEqual(changes.map((c) => `${c.id}:${c.deleted}`).sort(), [`${addedId}:false`, `${s1.id}:false`, `${s2.id}:true`, `${sync3.id}:false`].sort());

    // Nothing changed since: the next sync reports nothing.
    const quiet = await user.client.smartCollectionSyncDetailed({
      collection: { ...local, syncToken: result.syncToken, objectMultiGet: user.client.addressBookMultiGet },
      method: 'webdav',
    });
    t.deepEqual([quiet.objects.created.length, quiet.objects.updated.length, quiet.objects.deleted.length], [0, 0, 0]);
  });

  it('syncCollection with an unknown token answers 403 valid-sync-token', async (t, app) => {
    const user = await davUser(app);
    const res = await fetch(user.book.url, {
      method: 'REPORT',
      headers: {
        Depth: '0',
        'Content-Type': 'application/xml; charset=utf-8',
        Authorization: `Basic ${Buffer.from(`${user.email}:${user.password}`).toString('base64')}`,
      },
      body: `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${user.book.syncToken}x</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`,
    });
    t.is(res.status, 403);
    t.regex(await res.text(), /valid-sync-token/);
  });

  it("another user's book is 404 through the same client", async (t, app) => {
    const user = await davUser(app);
    const other = await davUser(app);
    const res = await user.client.createVCard({ addressBook: other.book, filename: 'intruder.vcf', vCardString: card('uid-x', 'Intruder', 'X') });
    t.is(res.status, 404);
    t.deepEqual(await restContacts(app, other.token), []);
  });
}

eachBackend(
  BACKENDS.filter((backend) => backend.name === 'pglite'),
  (it) => suite(it),
  { serial: true },
);
eachBackend(
  BACKENDS.filter((backend) => backend.name === 'postgres'),
  (it) =>
    suite((title, body) =>
      it(`with Redis, ${title}`, async (t, app) => {
        if (await redisAvailable()) await body(t, app);
        else t.pass('Redis is not running');
      }),
    ),
  { env: { REDIS_URL: TEST_REDIS_URL }, serial: true },
);
