import test from 'ava';
import { readFileSync } from 'node:fs';
import { IcalContactCardFormat } from '../../src/adapters/vcard/ical-contact-card-format.js';
import type { CardProperty } from '../../src/domain/contact.js';
import { ValidationFailed } from '../../src/domain/errors.js';
import { NotAVCardFile } from '../../src/domain/contact.errors.js';
import { CARDS_PER_CHUNK, EXPORT_BATCH } from '../../src/application/use-cases/export-contacts.js';
import { fakeWorld, verifiedUser } from '../fakes/fake-world.js';

async function world() {
  const w = fakeWorld();
  w.clock.set(new Date('2026-12-01T12:00:00Z'));
  const owner = (await verifiedUser(w, 'owner@example.com')).user.id;
  const other = (await verifiedUser(w, 'other@example.com')).user.id;
  return { ...w, owner, other };
}

const card = (lines: string[]) => `BEGIN:VCARD\r\nVERSION:4.0\r\n${lines.join('\r\n')}\r\nEND:VCARD\r\n`;
const file = (...cards: string[]) => Buffer.from(cards.join(''));

test('an import keeps every valid card, reports the others in file order, and leaves other books alone', async (t) => {
  const w = await world();
  await w.useCases.createContact(w.owner, { firstName: 'Existing', email: 'taken@example.com' });
  await w.useCases.createContact(w.other, { firstName: 'Theirs', email: 'new@example.com' });
  const report = await w.useCases.importContacts(
    w.owner,
    file(
      card(['FN:New One', 'EMAIL:new@example.com', 'BDAY:--0517']),
      card(['FN:Taken', 'EMAIL:TAKEN@example.com']),
      card(['EMAIL:nameless@example.com']),
      card(['FN:Twice', 'EMAIL:New@Example.com']),
      card(['N:Bad;Phone', 'TEL;VALUE=text:call me']),
      card(['FN:No Email Either']),
      card(['FN:No Email']),
    ),
  );
  // `call me` is no phone: the card imports without it (the TEL stays in its kept card).
  t.is(report.created, 4);
  t.deepEqual(
    report.skipped.map(({ index, name }) => ({ index, name })),
    [
      { index: 1, name: 'Taken' },
      { index: 2, name: null },
      { index: 3, name: 'Twice' },
    ],
  );
  t.regex(report.skipped[0]!.reason, /already in your book/);
  t.regex(report.skipped[1]!.reason, /neither a name nor an organization/);
  t.regex(report.skipped[2]!.reason, /an earlier card in this file has the same email/);
  const mine = (await w.useCases.listContacts(w.owner, {})).items.map((c) => c.firstName).sort();
  t.deepEqual(mine, ['Existing', 'New One', 'No Email', 'No Email Either', 'Phone']);
  t.is((await w.useCases.listContacts(w.other, {})).total, 1);
});

test('a file without any card is NotAVCardFile and stores nothing', async (t) => {
  const w = await world();
  await t.throwsAsync(w.useCases.importContacts(w.owner, Buffer.from('{"not":"a vcard"}')), { instanceOf: NotAVCardFile });
  t.is(w.repos.contacts.table.all().length, 0);
});

test('an export yields a chunk every few cards of each batch of contacts, every card once, in either version; another version is refused', async (t) => {
  const w = await world();
  const count = EXPORT_BATCH * 2 + 3;
  const body = Array.from({ length: count }, (_, i) => card([`FN:Person ${i}`, `EMAIL:p${i}@example.com`])).join('');
  t.is((await w.useCases.importContacts(w.owner, Buffer.from(body))).created, count);
  await w.useCases.createContact(w.other, { firstName: 'Not mine' });
  for (const version of [undefined, '4.0', '3.0']) {
    const chunks: string[] = [];
    for await (const chunk of await w.useCases.exportContacts(w.owner, version ? { version } : {})) chunks.push(chunk);
    // Two full batches and one of 3, each written CARDS_PER_CHUNK cards at a time.
    t.is(chunks.length, 2 * Math.ceil(EXPORT_BATCH / CARDS_PER_CHUNK) + 1);
    t.true(chunks.every((chunk) => chunk.split('BEGIN:VCARD').length - 1 <= CARDS_PER_CHUNK));
    const text = chunks.join('');
    t.is(text.split('BEGIN:VCARD').length - 1, count);
    t.false(text.includes('Not mine'));
    t.true(text.includes(`VERSION:${version ?? '4.0'}`));
  }
  await t.throwsAsync(w.useCases.exportContacts(w.owner, { version: '2.1' }), { instanceOf: ValidationFailed });
});

const format = new IcalContactCardFormat();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/vcard/${name}`, import.meta.url));

async function exported(w: Awaited<ReturnType<typeof world>>, input: Record<string, unknown> = {}): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of await w.useCases.exportContacts(w.owner, input)) chunks.push(chunk);
  return chunks.join('');
}

const byUid = async (text: string) => new Map((await format.read(Buffer.from(text), 1000)).map((c) => [c.card?.uid, c]));
/** What a writer may add to a card that lacked it: FN, and CATEGORIES for labels from group cards. */
const comparable = (properties: CardProperty[], before: CardProperty[]) => {
  const had = new Set(before.map((p) => JSON.stringify(p)));
  return properties.filter((p) => had.has(JSON.stringify(p)) || (p.name !== 'FN' && p.name !== 'CATEGORIES'));
};

test('import then export gives back every property of every card, its UID and its photo (as stored); photos=false leaves photos out', async (t) => {
  const w = await world();
  const file = Buffer.concat([fixture('project-apple-groups-companies.vcf'), fixture('ez-vcard-John_Doe_IPHONE.vcf'), fixture('davx5-allfields-vcard3.vcf')]);
  const report = await w.useCases.importContacts(w.owner, file);
  t.is(report.created, 4);
  // The group cards are kept, not skipped.
  t.deepEqual(report.skipped, []);
  t.is(report.groups, 2);
  const imported = await byUid(file.toString('utf8'));
  for (const version of ['4.0', '3.0']) {
    const back = await byUid(await exported(w, { version }));
    t.is(back.size, 6);
    for (const [uid, card] of back) {
      if (card.group) continue;
      // A card without a UID is exported under the contact's id.
      const original = imported.get(uid) ?? [...imported.values()].find((c) => c.card?.uid === null && c.name === card.name)!;
      t.truthy(original, `${uid} is the card's own UID, or the contact's for a card without one`);
      t.deepEqual(comparable(card.card!.properties, original.card!.properties), original.card!.properties, `${version} ${uid}`);
    }
    // The group cards' labels reached their members, as CATEGORIES.
    t.deepEqual(back.get('8D6E6E5B-1F6B-4B4C-9C6E-JANE00000002')!.fields!.labels, ['Work', 'Friends', 'Book Club', 'Climbing']);
    // The photo is the stored one (fitted and re-encoded on import), inline.
    const john = (await w.useCases.listContacts(w.owner, { q: 'john' })).items.find((c) => c.lastName === 'Doe')!;
    t.truthy(john.photoUrl);
    const stored = w.photos.served(john.photoUrl!)!;
    const withPhoto = [...back.values()].find((c) => c.name?.includes('Doe') && c.fields?.firstName === 'John')!;
    t.deepEqual(Buffer.from(withPhoto.photo!.bytes), stored.bytes);
    t.is(withPhoto.photo!.mediaType, stored.mediaType);
  }
  const without = await exported(w, { photos: 'false' });
  t.false(/\r\nPHOTO[;:](?!VALUE=uri)/.test(without.replace(/\r\n /g, '')), 'no photo but the kept link');
  t.true(without.includes('PHOTO;VALUE=uri:https://example.com/jane.jpg'));
  await t.throwsAsync(w.useCases.exportContacts(w.owner, { photos: 'maybe' }), { instanceOf: ValidationFailed });
});

test('a field changed over REST after an import rewrites only the properties it maps to on export', async (t) => {
  const w = await world();
  await w.useCases.importContacts(w.owner, fixture('project-apple-groups-companies.vcf'));
  const jane = (await w.useCases.listContacts(w.owner, { q: 'appleseed' })).items[0]!;
  const before = (await byUid(await exported(w))).get('8D6E6E5B-1F6B-4B4C-9C6E-JANE00000002')!;
  await w.useCases.patchContact(w.owner, jane.id!, { email: 'jane@new.example.com', jobTitle: 'CEO' });
  const after = (await byUid(await exported(w))).get('8D6E6E5B-1F6B-4B4C-9C6E-JANE00000002')!;
  const keys = (c: typeof before) => c.card!.properties.map((p) => JSON.stringify(p));
  const gone = keys(before)
    .filter((k) => !keys(after).includes(k))
    .map((k) => JSON.parse(k) as CardProperty);
  const added = keys(after)
    .filter((k) => !keys(before).includes(k))
    .map((k) => JSON.parse(k) as CardProperty);
  t.deepEqual(gone.map((p) => `${p.name}:${p.value}`).sort(), ['EMAIL:jane@acme.example.com', 'TITLE:Chief Widget Officer', 'X-ABLABEL:_$!<Work>!$_'].sort());
  t.deepEqual(added.map((p) => `${p.name}:${p.value}`).sort(), ['EMAIL:jane@new.example.com', 'TITLE:CEO']);
  t.like(after.fields, {
    jobTitle: 'CEO',
    emails: [
      { value: 'jane@new.example.com', label: 'work' },
      { value: 'jane.home@example.com', label: 'Weekend' },
    ],
  });
});

/** The group cards of an export, by UID, as read back. */
const groupsOf = async (text: string) => new Map([...(await byUid(text))].filter(([, c]) => c.group));

test('group cards round-trip: import then export in their own version gives back every property, members included', async (t) => {
  const w = await world();
  const file = fixture('project-apple-groups-companies.vcf');
  const imported = await groupsOf(file.toString('utf8'));
  const apple = imported.get('GROUP-0001')!;
  const climbing = imported.get('urn:uuid:0b7d9d3c-0000-4000-8000-000000000003')!;
  t.truthy(apple && climbing);
  await w.useCases.importContacts(w.owner, file);
  const v3 = await groupsOf(await exported(w, { version: '3.0' }));
  t.deepEqual(v3.get('GROUP-0001')!.card!.properties, apple.card!.properties);
  const v4 = await groupsOf(await exported(w, { version: '4.0' }));
  t.deepEqual(v4.get(climbing.card!.uid!)!.card!.properties, climbing.card!.properties);
  // Across versions the group mark and member lines take the version's form.
  const keys = (members: string[]) => members.map((m) => m.toLowerCase()).sort();
  t.is(v4.get('GROUP-0001')!.group!.name, 'Book Club');
  t.deepEqual(keys(v4.get('GROUP-0001')!.group!.members), keys(apple.group!.members));
  t.true((await exported(w, { version: '4.0' })).includes('\r\nKIND:group\r\n'));
});

test('renaming a label renames its group card; a member leaving drops its MEMBER line; deleting the label deletes the card', async (t) => {
  const w = await world();
  await w.useCases.importContacts(w.owner, fixture('project-apple-groups-companies.vcf'));
  await w.useCases.renameLabel(w.owner, 'book club', { name: 'Readers' });
  let groups = await groupsOf(await exported(w, { version: '3.0' }));
  const renamed = groups.get('GROUP-0001')!;
  t.is(renamed.name, 'Readers');
  t.like(
    renamed.card!.properties.find((p) => p.name === 'N'),
    { value: 'Readers;;;;' },
  );
  t.is(renamed.group!.members.length, 2);
  const acme = (await w.useCases.listContacts(w.owner, { label: 'Readers' })).items.find((c) => c.organization === 'Acme Widgets Ltd.' && c.firstName === '')!;
  await w.useCases.patchContact(w.owner, acme.id!, { labels: [] });
  groups = await groupsOf(await exported(w, { version: '3.0' }));
  t.deepEqual(groups.get('GROUP-0001')!.group!.members, ['urn:uuid:8D6E6E5B-1F6B-4B4C-9C6E-JANE00000002']);
  // Merging into a label that has its own card keeps the target's card.
  await w.useCases.renameLabel(w.owner, 'Readers', { name: 'climbing' });
  groups = await groupsOf(await exported(w));
  t.deepEqual([...groups.keys()], ['urn:uuid:0b7d9d3c-0000-4000-8000-000000000003']);
  await w.useCases.deleteLabel(w.owner, 'Climbing');
  t.is((await groupsOf(await exported(w))).size, 0);
});
