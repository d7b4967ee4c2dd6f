import { readFileSync } from 'node:fs';
import test from 'ava';
import sharp from 'sharp';
import { CsvContactFileReader } from '../../src/adapters/csv/csv-contact-file-reader.js';
import type { CardRead, ContactFileReader } from '../../src/application/ports/contact-card-format.js';
import type { UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import { makeImportContacts } from '../../src/application/use-cases/import-contacts.js';
import { NotACsvFile, UnknownCsvLayout } from '../../src/domain/contact.errors.js';
import { fakeWorld, IMPORTS_AT_ONCE, verifiedUser } from '../fakes/fake-world.js';

async function world() {
  const w = fakeWorld();
  w.clock.set(new Date('2026-12-01T12:00:00Z'));
  const owner = (await verifiedUser(w, 'owner@example.com')).user.id;
  const other = (await verifiedUser(w, 'other@example.com')).user.id;
  return { ...w, owner, other };
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url));

/** A reader that answers these batches of cards, whatever the file. */
function readerOf(...batches: CardRead[][]): ContactFileReader {
  return {
    read: async () => batches.flat(),
    async *readBatches() {
      yield* batches;
    },
  };
}

/** The import over a reader that answers these cards, whatever the file. */
function importOf(w: Awaited<ReturnType<typeof world>>, cards: CardRead[]) {
  const given = readerOf(cards);
  return makeImportContacts({
    uow: w.uow,
    readers: { vcard: given, csv: new CsvContactFileReader() },
    clock: w.clock,
    images: w.images,
    photos: w.photos,
    logger: w.logger,
    importsAtOnce: IMPORTS_AT_ONCE,
  });
}

const person = (firstName: string, more: Record<string, unknown> = {}): CardRead => ({ name: firstName, fields: { firstName, ...more } });

async function listed(w: Awaited<ReturnType<typeof world>>, owner: string) {
  const items: { firstName: string; organization: string; emails: { value: string }[]; labels: string[]; photo: unknown; card: unknown }[] = [];
  for await (const batch of w.repos.contacts.listAll(owner, 100)) items.push(...batch);
  return items;
}

test('a Google CSV: every valid row stored with its fields and labels, the others reported in file order', async (t) => {
  const w = await world();
  const report = await w.useCases.importContacts(w.owner, fixture('google-current.csv'), 'csv');
  t.deepEqual(report, {
    created: 2,
    skipped: [
      { index: 2, name: null, reason: 'the card has neither a name nor an organization' },
      { index: 3, name: 'Ada King', reason: 'an earlier card in this file has the same email (index 1)' },
    ],
  });
  const [grace, ada] = await listed(w, w.owner);
  t.like(grace, { firstName: 'Grace', organization: 'US Navy', labels: ['Family', 'Navy'] });
  t.is(grace!.emails.length, 3);
  t.like(ada, { firstName: 'Ada' });
  t.deepEqual(await listed(w, w.other), []);
});

test('an Outlook CSV: a company’s card is a contact; an email the book holds skips the row and names the holder', async (t) => {
  const w = await world();
  const holder = await w.useCases.createContact(w.owner, { firstName: 'Joan', email: 'JOAN@example.net' });
  const report = await w.useCases.importContacts(w.owner, fixture('outlook.csv'), 'csv');
  t.deepEqual(report, {
    created: 2,
    skipped: [{ index: 2, name: 'Joan Doe', reason: `a contact with this email is already in your book: ${holder.contact.id}` }],
  });
  const names = (await listed(w, w.owner)).map((c) => c.firstName || c.organization);
  t.deepEqual(names, ['Joan', 'René', 'Initech']);
});

test('an invalid field skips its row with the field named', async (t) => {
  const w = await world();
  const report = await w.useCases.importContacts(w.owner, fixture('google-legacy.csv'), 'csv');
  t.is(report.created, 3);
  t.deepEqual(report.skipped, [{ index: 3, name: 'Bad Email', reason: 'emails[0].value must be a valid email address' }]);
});

test('a CSV that is not a contacts export, or not CSV, fails the whole import and stores nothing', async (t) => {
  const w = await world();
  await t.throwsAsync(w.useCases.importContacts(w.owner, Buffer.from('name,email\nAnn,ann@example.com\n'), 'csv'), { instanceOf: UnknownCsvLayout });
  await t.throwsAsync(w.useCases.importContacts(w.owner, Buffer.from([0, 1, 2, 3, 255, 0]), 'csv'), { instanceOf: NotACsvFile });
  t.deepEqual(await listed(w, w.owner), []);
});

test('a card’s photo is fitted, stored and set on its contact; a bad photo imports the card without one', async (t) => {
  const w = await world();
  const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  const report = await importOf(w, [
    { ...person('Pic'), photo: { bytes: png, mediaType: 'image/png' } },
    { ...person('Broken'), photo: { bytes: Buffer.from('not an image at all'), mediaType: 'image/jpeg' } },
    person('Plain'),
  ])(w.owner, Buffer.from('x'), 'vcard');
  t.deepEqual(report, { created: 3, skipped: [] });
  const [pic, broken, plain] = await listed(w, w.owner);
  const photo = pic!.photo as { url: string };
  t.truthy(photo);
  const served = w.photos.served(photo.url)!;
  const { width, height } = await sharp(served.bytes).metadata();
  t.true(Math.max(width!, height!) <= 512);
  t.is(broken!.photo, null);
  t.is(plain!.photo, null);
  t.is(w.photos.photos.size, 1);
});

test('a photo that cannot be used leaves its PHOTO property in the kept card; a stored one does not', async (t) => {
  const w = await world();
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c3c' } })
    .png()
    .toBuffer();
  const property = (value: string) => ({ group: null, name: 'PHOTO', params: [{ name: 'ENCODING', values: ['b'] }], value });
  const card = { uid: 'u1', properties: [{ group: null, name: 'X-KEPT', params: [], value: 'yes' }] };
  await importOf(w, [
    { ...person('Bad'), card, photo: { bytes: Buffer.from('garbage'), mediaType: 'image/jpeg' }, photoProperty: property('Z2FyYmFnZQ==') },
    { ...person('Good'), card: { ...card, uid: 'u2' }, photo: { bytes: png, mediaType: 'image/png' }, photoProperty: property('iVBOR') },
    { ...person('Bare'), photo: { bytes: Buffer.from('garbage'), mediaType: null }, photoProperty: property('Z2FyYmFnZQ==') },
  ])(w.owner, Buffer.from('x'), 'vcard');
  const [bad, good, bare] = await listed(w, w.owner);
  t.deepEqual(bad!.card, { uid: 'u1', properties: [...card.properties, property('Z2FyYmFnZQ==')] });
  t.is(bad!.photo, null);
  t.deepEqual(good!.card, { ...card, uid: 'u2' });
  t.truthy(good!.photo);
  t.deepEqual(bare!.card, { uid: null, properties: [property('Z2FyYmFnZQ==')] });
});

test('a photo stored for a card that the book then refuses is removed again', async (t) => {
  const w = await world();
  await w.useCases.createContact(w.owner, { firstName: 'Holder', email: 'same@example.com' });
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3c3' } })
    .png()
    .toBuffer();
  const report = await importOf(w, [{ ...person('Dup', { emails: [{ value: 'Same@example.com' }] }), photo: { bytes: png, mediaType: null } }])(
    w.owner,
    Buffer.from('x'),
    'vcard',
  );
  t.is(report.created, 0);
  t.regex(report.skipped[0]!.reason, /already in your book/);
  t.is(w.photos.photos.size, 0);
});

test('a card the reader could not read is reported with its problem; the kept card (vCard) is stored with the contact', async (t) => {
  const w = await world();
  const card = { uid: 'urn:uuid:abc', properties: [{ group: null, name: 'X-KEPT', params: [], value: 'yes' }] };
  const report = await importOf(w, [
    { name: 'Unreadable', fields: null, problem: 'the card is not valid vCard' },
    { ...person('Kept'), card },
  ])(w.owner, Buffer.from('x'), 'vcard');
  t.deepEqual(report, { created: 1, skipped: [{ index: 0, name: 'Unreadable', reason: 'the card is not valid vCard' }] });
  t.deepEqual((await listed(w, w.owner))[0]!.card, card);
});

test('when storing fails, the photos stored for the import are removed and the error is the import’s', async (t) => {
  const w = await world();
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#33c' } })
    .png()
    .toBuffer();
  const failing: UnitOfWork = { run: async () => Promise.reject(new Error('database down')) };
  const importContacts = makeImportContacts({
    uow: failing,
    readers: { vcard: readerOf([{ ...person('Pic'), photo: { bytes: png, mediaType: 'image/png' } }]), csv: new CsvContactFileReader() },
    clock: w.clock,
    images: w.images,
    photos: w.photos,
    logger: w.logger,
    importsAtOnce: IMPORTS_AT_ONCE,
  });
  await t.throwsAsync(importContacts(w.owner, Buffer.from('x'), 'vcard'), { message: 'database down' });
  t.is(w.photos.photos.size, 0);
  t.is(w.photos.saves, 1);
});

test('validating a large file’s cards gives other work turns of the event loop', async (t) => {
  const w = await world();
  const cards = Array.from({ length: 5_000 }, (_, i) => person(`P${i}`, { emails: [{ value: `p${i}@example.com` }], phones: [{ value: '+1 555 010 0100' }] }));
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
  }, 0);
  try {
    const report = await importOf(w, cards)(w.owner, Buffer.from('x'), 'vcard');
    t.is(report.created, 5_000);
  } finally {
    clearInterval(timer);
  }
  t.true(ticks >= 10, `${ticks} timer ticks during the import`);
});

/** The fake's unit of work, whose contacts' createMany calls `before` first (which may throw). */
function storingVia(w: Awaited<ReturnType<typeof world>>, before: (call: number) => void): UnitOfWork {
  let calls = 0;
  return {
    run: (work) =>
      w.uow.run((repos) => {
        const contacts = Object.create(repos.contacts) as typeof repos.contacts;
        contacts.createMany = (ownerId, list) => {
          before(calls++);
          return repos.contacts.createMany(ownerId, list);
        };
        return work({ ...repos, contacts });
      }),
  };
}

test('an import whose last batch fails to store leaves nothing of the earlier batches, photos included', async (t) => {
  const w = await world();
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  const batch = (n: number) => Array.from({ length: 3 }, (_, i) => ({ ...person(`B${n}P${i}`), photo: { bytes: png, mediaType: 'image/png' } }));
  const importContacts = makeImportContacts({
    uow: storingVia(w, (call) => {
      if (call === 2) throw new Error('statement timeout');
    }),
    readers: { vcard: readerOf(batch(0), batch(1), batch(2)), csv: new CsvContactFileReader() },
    clock: w.clock,
    images: w.images,
    photos: w.photos,
    logger: w.logger,
    importsAtOnce: IMPORTS_AT_ONCE,
  });
  await t.throwsAsync(importContacts(w.owner, Buffer.from('x'), 'vcard'), { message: 'statement timeout' });
  t.deepEqual(await listed(w, w.owner), []);
  t.is(w.photos.saves, 9);
  t.is(w.photos.photos.size, 0);
});

test('a file is stored a batch at a time: the reader is asked for a batch only once the one two before it is stored', async (t) => {
  const w = await world();
  let stored = 0;
  const asked: number[] = [];
  const reader: ContactFileReader = {
    read: async () => [],
    async *readBatches() {
      for (let n = 0; n < 6; n += 1) {
        asked.push(stored);
        yield Array.from({ length: 4 }, (_, i) => person(`B${n}P${i}`, { emails: [{ value: `b${n}p${i}@example.com` }] }));
      }
    },
  };
  const importContacts = makeImportContacts({
    uow: storingVia(w, () => {
      stored += 1;
    }),
    readers: { vcard: reader, csv: new CsvContactFileReader() },
    clock: w.clock,
    images: w.images,
    photos: w.photos,
    logger: w.logger,
    importsAtOnce: IMPORTS_AT_ONCE,
  });
  const report = await importContacts(w.owner, Buffer.from('x'), 'vcard');
  t.deepEqual(report, { created: 24, skipped: [] });
  t.is((await listed(w, w.owner)).length, 24);
  // Batch n is read while batch n-1 is stored, never further ahead.
  for (const [n, storedBefore] of asked.entries()) t.true(storedBefore >= n - 2, `batch ${n} read after ${storedBefore} stored`);
});

test('the skipped cards of every batch are reported in file order, an email of an earlier batch skipping a later card', async (t) => {
  const w = await world();
  const importContacts = makeImportContacts({
    uow: w.uow,
    readers: {
      vcard: readerOf(
        [person('Ann', { emails: [{ value: 'ann@example.com' }] }), { name: null, fields: null, problem: 'bad' }],
        [person('Annie', { emails: [{ value: 'ANN@example.com' }] }), person('Bob')],
      ),
      csv: new CsvContactFileReader(),
    },
    clock: w.clock,
    images: w.images,
    photos: w.photos,
    logger: w.logger,
    importsAtOnce: IMPORTS_AT_ONCE,
  });
  t.deepEqual(await importContacts(w.owner, Buffer.from('x'), 'vcard'), {
    created: 2,
    skipped: [
      { index: 1, name: null, reason: 'bad' },
      { index: 2, name: 'Annie', reason: 'an earlier card in this file has the same email (index 0)' },
    ],
  });
});
