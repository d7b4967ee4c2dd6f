import test from 'ava';
import { ValidationFailed } from '../../src/domain/errors.js';
import { NotAVCardFile } from '../../src/domain/contact.errors.js';
import { EXPORT_BATCH } from '../../src/application/use-cases/export-contacts.js';
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
  t.deepEqual(report, {
    created: 3,
    skipped: [
      { index: 1, name: 'Taken', reason: 'a contact with this email is already in your book' },
      { index: 2, name: null, reason: 'the card has no name (FN or N)' },
      { index: 3, name: 'Twice', reason: 'an earlier card in this file has the same email' },
      { index: 4, name: 'Phone Bad', reason: 'phone must be 5 to 30 characters of digits, spaces and + - ( )' },
    ],
  });
  const mine = (await w.useCases.listContacts(w.owner, {})).items.map((c) => c.firstName).sort();
  t.deepEqual(mine, ['Existing', 'New One', 'No Email', 'No Email Either']);
  t.is((await w.useCases.listContacts(w.other, {})).total, 1);
});

test('a file without any card is NotAVCardFile and stores nothing', async (t) => {
  const w = await world();
  await t.throwsAsync(w.useCases.importContacts(w.owner, Buffer.from('{"not":"a vcard"}')), { instanceOf: NotAVCardFile });
  t.is(w.repos.contacts.table.all().length, 0);
});

test('an export yields one chunk per batch of contacts, every card once, in either version; another version is refused', async (t) => {
  const w = await world();
  const count = EXPORT_BATCH * 2 + 3;
  const body = Array.from({ length: count }, (_, i) => card([`FN:Person ${i}`, `EMAIL:p${i}@example.com`])).join('');
  t.is((await w.useCases.importContacts(w.owner, Buffer.from(body))).created, count);
  await w.useCases.createContact(w.other, { firstName: 'Not mine' });
  for (const version of [undefined, '4.0', '3.0']) {
    const chunks: string[] = [];
    for await (const chunk of await w.useCases.exportContacts(w.owner, version ? { version } : {})) chunks.push(chunk);
    t.is(chunks.length, 3);
    const text = chunks.join('');
    t.is(text.split('BEGIN:VCARD').length - 1, count);
    t.false(text.includes('Not mine'));
    t.true(text.includes(`VERSION:${version ?? '4.0'}`));
  }
  await t.throwsAsync(w.useCases.exportContacts(w.owner, { version: '2.1' }), { instanceOf: ValidationFailed });
});
