import { readFileSync } from 'node:fs';
import type { ExecutionContext } from 'ava';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';
import { responses } from '../helpers/multistatus.js';

/*
 * Group cards (KIND:group, Apple's X-ADDRESSBOOKSERVER-KIND:group) over CardDAV and through the
 * REST import/export: a label is a group, and its card comes back as it was sent.
 */

type Init = { method: string; token?: string; body?: string; headers?: Record<string, string> };

async function dav(app: TestApp, path: string, init: Init): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/xml; charset=utf-8';
  const res = await app.request(path, { method: init.method, token: init.token, headers, body: init.body, redirect: 'manual' });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const crlf = (lines: string[]) => [...lines, ''].join('\r\n');
const person = (uid: string, first: string, extra: string[] = []) =>
  crlf(['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${first} Group`, `N:Group;${first};;;`, ...extra, 'END:VCARD']);
const appleGroup = (uid: string, name: string, members: string[]) =>
  crlf([
    'BEGIN:VCARD',
    'VERSION:3.0',
    'PRODID:-//Apple Inc.//iOS 17.0//EN',
    `N:${name}`,
    `FN:${name}`,
    'X-ADDRESSBOOKSERVER-KIND:group',
    ...members.map((m) => `X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:${m}`),
    'X-APPLE-SORT:keep me',
    `UID:${uid}`,
    'END:VCARD',
  ]);

/** The content lines of a card, unfolded, without the ones a writer may set (REV, PRODID, VERSION). */
const linesOf = (card: string) =>
  card
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l) => l !== '' && !/^(REV|PRODID|VERSION)[:;]/.test(l));

async function user(app: TestApp) {
  const u = await signUpAndLogIn(app);
  return { ...u, token: u.accessToken, book: `/dav/addressbooks/${u.userId}/contacts/` };
}

type Contact = { id: string; labels: string[]; firstName: string };
async function contacts(app: TestApp, token: string): Promise<Contact[]> {
  return ((await (await app.request('/api/contacts?limit=100', { token })).json()) as { items: Contact[] }).items;
}

function suite(it: (title: string, body: (t: ExecutionContext, app: TestApp) => Promise<void>) => void) {
  it('a group card PUT over CardDAV is stored, sets the label on its members, comes back with every property, shows in sync-collection, and its DELETE takes the label off', async (t, app) => {
    const u = await user(app);
    const put = (name: string, body: string, headers: Record<string, string> = {}) =>
      dav(app, `${u.book}${name}`, { method: 'PUT', token: u.token, body, headers: { 'Content-Type': 'text/vcard', ...headers } });
    t.is((await put('ann.vcf', person('ann-uid', 'Ann'))).status, 201);
    t.is((await put('bob.vcf', person('bob-uid', 'Bob'))).status, 201);
    const sync = async (token: string) => {
      const res = await dav(app, u.book, {
        method: 'REPORT',
        token: u.token,
        body: `<?xml version="1.0" encoding="utf-8" ?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
      });
      return { list: responses(res.text), next: /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(res.text)?.[1] ?? '' };
    };
    const before = await sync('');

    const card = appleGroup('group-uid-1', 'Climbers', ['ann-uid', 'nobody-here']);
    const created = await put('climbers.vcf', card, { 'If-None-Match': '*' });
    t.is(created.status, 201);
    const etag = created.headers.get('etag')!;
    t.truthy(etag);
    // The label reached the member in the book; the contact stays a contact.
    const byName = async () => new Map((await contacts(app, u.token)).map((c) => [c.firstName, c]));
    t.deepEqual((await byName()).get('Ann')!.labels, ['Climbers']);
    t.deepEqual((await byName()).get('Bob')!.labels, []);

    const got = await dav(app, `${u.book}climbers.vcf`, { method: 'GET', token: u.token });
    t.is(got.status, 200);
    t.is(got.headers.get('etag'), etag);
    // Every property back as sent (the UID first, as every card is written), but the member not in the book.
    t.deepEqual(
      linesOf(got.text).sort(),
      linesOf(card)
        .filter((l) => !l.includes('nobody-here'))
        .sort(),
    );

    // Listed with the contacts, and in the sync since before it was made.
    const listing = responses(
      (
        await dav(app, u.book, {
          method: 'PROPFIND',
          token: u.token,
          headers: { Depth: '1' },
          body: '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
        })
      ).text,
    );
    t.true(listing.some((r) => r.href === `${u.book}climbers.vcf` && r.etag === etag));
    const moved = await sync(before.next);
    t.deepEqual(
      moved.list.filter((r) => r.href.endsWith('climbers.vcf')).map((r) => r.etag),
      [etag],
    );

    // A member added over REST moves the group's ETag and puts it in the next sync.
    const bob = (await byName()).get('Bob')!;
    t.is((await app.request(`/api/contacts/${bob.id}`, { method: 'PATCH', token: u.token, json: { labels: ['climbers'] } })).status, 200);
    const again = await sync(moved.next);
    const groupAgain = again.list.find((r) => r.href.endsWith('climbers.vcf'))!;
    t.truthy(groupAgain);
    t.not(groupAgain.etag, etag);
    const multiget = await dav(app, u.book, {
      method: 'REPORT',
      token: u.token,
      body: `<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop><D:href>${u.book}climbers.vcf</D:href></C:addressbook-multiget>`,
    });
    t.true(multiget.text.includes('X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:bob-uid'));
    t.true(multiget.text.includes('X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ann-uid'));

    // A stale If-Match is refused; a PUT naming only Bob takes the label off Ann.
    t.is((await put('climbers.vcf', card, { 'If-Match': etag })).status, 412);
    const replaced = await put('climbers.vcf', appleGroup('group-uid-1', 'Climbers', ['bob-uid']), { 'If-Match': groupAgain.etag! });
    t.is(replaced.status, 204);
    t.deepEqual((await byName()).get('Ann')!.labels, []);
    t.deepEqual((await byName()).get('Bob')!.labels, ['climbers']);
    // A contact may not take the group's UID.
    t.is((await put('clash.vcf', person('group-uid-1', 'Clash'))).status, 409);

    const mark = await sync('');
    t.is((await dav(app, `${u.book}climbers.vcf`, { method: 'DELETE', token: u.token })).status, 204);
    t.is((await dav(app, `${u.book}climbers.vcf`, { method: 'GET', token: u.token })).status, 404);
    t.deepEqual((await byName()).get('Bob')!.labels, []);
    t.is((await byName()).size, 2, 'the contacts stay');
    const gone = await sync(mark.next);
    t.true(gone.list.some((r) => r.href === `${u.book}climbers.vcf` && r.status === 'HTTP/1.1 404 Not Found'));
  });

  it('ten parallel PUTs of one new group card under ten names create it once; the others answer 409 no-uid-conflict, as a PUT after it does (and 400 for one name, 412 for one resource name)', async (t, app) => {
    const u = await user(app);
    const card = appleGroup('race-uid', 'Racers', []);
    const put = (name: string, body: string) =>
      dav(app, `${u.book}${name}`, { method: 'PUT', token: u.token, body, headers: { 'Content-Type': 'text/vcard', 'If-None-Match': '*' } });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => put(`racer-${i}.vcf`, card)));
    t.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((a) => a.status === 409)) t.regex(a.text, /no-uid-conflict/);
    t.is((await put('racer-late.vcf', card)).status, 409);
    // Ten cards of one name under ten UIDs: one is kept, the others are refused as a later one is.
    const named = await Promise.all(Array.from({ length: 10 }, (_, i) => put(`named-${i}.vcf`, appleGroup(`named-uid-${i}`, 'Namesakes', []))));
    t.deepEqual(named.map((a) => a.status).sort(), [201, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
    for (const a of named.filter((a) => a.status === 400)) t.regex(a.text, /valid-address-data/);
    t.is((await put('named-late.vcf', appleGroup('named-uid-late', 'Namesakes', []))).status, 400);
    // Ten creations of one resource name (If-None-Match: *): one is created, the others fail the precondition, as a later one does.
    const same = await Promise.all(Array.from({ length: 10 }, (_, i) => put('same.vcf', appleGroup(`same-uid-${i}`, `Same ${i}`, []))));
    t.deepEqual(same.map((a) => a.status).sort(), [201, 412, 412, 412, 412, 412, 412, 412, 412, 412]);
    t.is((await put('same.vcf', appleGroup('same-uid-late', 'Same late', []))).status, 412);
    const listing = await dav(app, u.book, {
      method: 'PROPFIND',
      token: u.token,
      headers: { Depth: '1' },
      body: '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
    });
    const hrefs = responses(listing.text).map((r) => r.href.slice(u.book.length));
    t.deepEqual(
      hrefs.filter((h) => h !== '').sort(),
      [...[answers, named].map((list) => `${list === answers ? 'racer' : 'named'}-${list.findIndex((a) => a.status === 201)}.vcf`), 'same.vcf'].sort(),
    );
  });

  it('a group card naming 1,990 members (near the line cap) is stored in one go: exactly they carry its label', async (t, app) => {
    const u = await user(app);
    const uids = Array.from({ length: 1_990 }, (_, i) => `member-${i}`);
    const file = uids.map((uid) => person(uid, uid)).join('') + person('outsider', 'Outsider', ['CATEGORIES:Crowd']);
    const imported = await app.request('/api/contacts/import', { method: 'POST', token: u.token, body: file, headers: { 'Content-Type': 'text/vcard' } });
    t.is(imported.status, 200);
    const started = performance.now();
    const put = await dav(app, `${u.book}crowd.vcf`, {
      method: 'PUT',
      token: u.token,
      body: appleGroup('crowd-uid', 'Crowd', uids),
      headers: { 'Content-Type': 'text/vcard', 'If-None-Match': '*' },
    });
    const elapsed = performance.now() - started;
    t.is(put.status, 201);
    t.log(`group PUT of ${uids.length} members: ${Math.round(elapsed)} ms`);
    t.true(elapsed < 8_000, `answered in ${Math.round(elapsed)} ms`);
    const carrying: string[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = (await (await app.request(`/api/contacts?label=Crowd&limit=100&offset=${offset}`, { token: u.token })).json()) as { items: Contact[] };
      carrying.push(...page.items.map((c) => c.firstName));
      if (page.items.length < 100) break;
    }
    t.deepEqual(carrying.sort(), [...uids].sort(), 'the members named, and not the outsider');
  });

  it('REST import keeps group cards (the report counts them), export gives them back, and label rename and delete carry them', async (t, app) => {
    const u = await user(app);
    const file = readFileSync(new URL('../fixtures/vcard/project-apple-groups-companies.vcf', import.meta.url));
    const imported = await app.request('/api/contacts/import', { method: 'POST', token: u.token, body: file, headers: { 'Content-Type': 'text/vcard' } });
    t.is(imported.status, 200);
    t.deepEqual(await imported.json(), { created: 2, skipped: [], groups: 2 });
    const exported = async () => (await (await app.request('/api/contacts/export?version=3.0', { token: u.token })).text()).replace(/\r\n[ \t]/g, '');
    const apple = file
      .toString('utf8')
      .replace(/\r?\n/g, '\r\n')
      .split('BEGIN:VCARD')
      .find((c) => c.includes('GROUP-0001'))!;
    const text = await exported();
    const back = text.split('BEGIN:VCARD').find((c) => c.includes('UID:GROUP-0001'))!;
    t.deepEqual(linesOf(back).sort(), linesOf(apple).sort());
    t.is((await app.request('/api/labels/Book%20Club', { method: 'PATCH', token: u.token, json: { name: 'Readers' } })).status, 200);
    t.regex(await exported(), /\r\nFN:Readers\r\n/);
    t.is((await app.request('/api/labels/Readers', { method: 'DELETE', token: u.token })).status, 204);
    t.false((await exported()).includes('UID:GROUP-0001'));
    // Over CardDAV the remaining group is a resource of the book, under its id.
    const listing = await dav(app, u.book, {
      method: 'PROPFIND',
      token: u.token,
      headers: { Depth: '1' },
      body: '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
    });
    t.is(responses(listing.text).length, 1 + 2 + 1);
    // The account export holds the group card too.
    const account = (await (await app.request('/api/users/me/export', { token: u.token })).json()) as {
      groups: { label: string; uid: string; vcard: string }[];
    };
    t.deepEqual(
      account.groups.map((g) => [g.label, g.uid]),
      [['Climbing', 'urn:uuid:0b7d9d3c-0000-4000-8000-000000000003']],
    );
    t.regex(account.groups[0]!.vcard, /\r\nKIND:group\r\n[\s\S]*MEMBER:urn:uuid:8D6E6E5B-1F6B-4B4C-9C6E-JANE00000002/);
  });
}

eachBackend(BACKENDS, suite, { env: { RATE_LIMIT_DAV_MAX: '200', RATE_LIMIT_DAV_WINDOW_S: '3600' } });
