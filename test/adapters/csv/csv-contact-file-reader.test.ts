import { readFileSync } from 'node:fs';
import test from 'ava';
import { CsvContactFileReader } from '../../../src/adapters/csv/csv-contact-file-reader.js';
import { MAX_ROW_CHARACTERS } from '../../../src/adapters/csv/csv-records.js';
import { NotACsvFile, TooManyCards, UnknownCsvLayout } from '../../../src/domain/contact.errors.js';
import { validateContact } from '../../../src/domain/contact.js';

const reader = new CsvContactFileReader();
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/csv/${name}`, import.meta.url));
const bytes = (text: string) => Buffer.from(text, 'utf8');
const TODAY = '2026-12-06';

const OUTLOOK_HEADER = 'First Name,Middle Name,Last Name,Title,Suffix,Company,Department,Job Title,E-mail Address,Mobile Phone,Business Phone,Notes,Categories';
const GOOGLE_HEADER = 'First Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Notes';

test('Google’s older export: names, several emails in one cell, typed phones, the address, organization, website, anniversary, labels without the system groups', async (t) => {
  const cards = await reader.read(fixture('google-legacy.csv'), 100);
  t.is(cards.length, 4);
  const zoe = validateContact(cards[0]!.fields!, TODAY);
  t.is(cards[0]!.name, 'Zoë Maria Ångström-Lee');
  t.like(zoe, { firstName: 'Zoë', middleName: 'Maria', lastName: 'Ångström-Lee', prefix: 'Dr.', nickname: 'Zo', organization: 'Acme Corp' });
  t.like(zoe, { department: 'Research', jobTitle: 'Chief Rocket Officer', birthday: '1985-03-14', anniversary: '2010-06-19' });
  t.deepEqual(zoe.emails, [
    { value: 'zoe@example.com', label: 'home' },
    { value: 'zoe.lee@example.org', label: 'home' },
    { value: 'z.lee@acme.example', label: 'work' },
  ]);
  t.deepEqual(zoe.phones, [
    { value: '+1 (555) 010-0001', label: 'mobile' },
    { value: '+1 555 010 0099', label: 'fax' },
  ]);
  t.deepEqual(zoe.addresses, [
    { label: 'home', street: '12 Elm Street, Apt 4', extended: '', poBox: '', locality: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
  ]);
  t.deepEqual(zoe.urls, [{ value: 'http://www.zoe.example', label: 'Profile' }]);
  t.deepEqual(zoe.labels, ['Friends', 'Book club']);
  t.is(zoe.notes, 'Met at the conference.\nLikes "good" coffee, black.');

  // Only a display name: it is the first name.
  t.like(validateContact(cards[1]!.fields!, TODAY), { firstName: 'Plumber Pete', lastName: '', phones: [{ value: '555-0102', label: 'mobile' }] });
  // A company's card, its address only formatted.
  const globex = validateContact(cards[2]!.fields!, TODAY);
  t.like(globex, { firstName: '', organization: 'Globex Inc.', labels: ['Suppliers'] });
  t.is(globex.addresses[0]!.street, '1 Industrial Way, Cypress Creek');
  t.is(cards[2]!.name, 'Globex Inc.');
  // An invalid email stays for validation to name.
  t.throws(() => validateContact(cards[3]!.fields!, TODAY));
});

test('Google’s current export: Labels, " ::: " in emails and phones, extensions, a yearless birthday and anniversary, the photo URL ignored', async (t) => {
  const cards = await reader.read(fixture('google-current.csv'), 100);
  t.is(cards.length, 4);
  const grace = validateContact(cards[0]!.fields!, TODAY);
  t.like(grace, {
    firstName: 'Grace',
    middleName: 'Brewster',
    lastName: 'Hopper',
    nickname: 'Amazing Grace',
    organization: 'US Navy',
    jobTitle: 'Rear Admiral',
  });
  t.deepEqual(grace.labels, ['Family', 'Navy']);
  t.deepEqual(
    grace.emails.map((e) => e.value),
    ['grace@example.com', 'ghopper@navy.example', 'admiral@navy.example'],
  );
  t.deepEqual(grace.phones, [
    { value: '+1 202-555-0147', label: 'mobile' },
    { value: '(202) 555-0148', label: 'home' },
    { value: '202.555.0149 ext. 12', label: 'home' },
  ]);
  t.like(grace, { birthday: '1906-12-09', anniversary: '--06-15' });
  t.deepEqual(grace.urls, [{ value: 'https://grace.example/', label: 'Homepage' }]);
  t.is(cards[0]!.photo, null);
  t.is(grace.notes, 'Wrote the first compiler.\nSpouse: Vincent\nRank: RADM');
  t.like(validateContact(cards[1]!.fields!, TODAY), { birthday: '--12-10' });
  // Neither a name nor an organization: validation refuses it.
  t.is(cards[2]!.name, null);
  t.throws(() => validateContact(cards[2]!.fields!, TODAY));
});

test('Outlook’s export in Windows-1252 with CRLF: accents and €, a multi-line quoted note, US dates, 0/0/00 as none, every phone and address column, categories', async (t) => {
  const file = fixture('outlook.csv');
  t.true(file.includes(Buffer.from([0x80])), 'the fixture holds a Windows-1252 euro sign');
  const cards = await reader.read(file, 100);
  t.is(cards.length, 3);
  const rene = validateContact(cards[0]!.fields!, TODAY);
  t.is(cards[0]!.name, 'René Jürgen Müller');
  t.like(rene, { prefix: 'Herr', suffix: 'Jr.', organization: 'Müller & Söhne GmbH', department: 'Vertrieb', jobTitle: 'Geschäftsführer' });
  t.like(rene, { birthday: '1985-03-14', anniversary: '2010-06-19' });
  t.is(rene.notes, 'Café owner.\r\nPrefers €-invoices; call after 10.');
  t.deepEqual(
    rene.phones.map((p) => [p.label, p.value]),
    [
      ['mobile', '+49 151 2345678'],
      ['home', '+49 30 1234567'],
      ['fax', '+49 30 7654321'],
    ],
  );
  t.deepEqual(
    rene.addresses.map((a) => [a.label, a.street, a.locality]),
    [
      ['home', 'Hauptstraße 5', 'Berlin'],
      ['work', 'Industriestraße 1, Halle 3', 'Potsdam'],
    ],
  );
  t.deepEqual(rene.labels, ['Family', 'Business']);
  t.deepEqual(rene.urls, [{ value: 'http://www.mueller.example', label: 'other' }]);
  t.like(validateContact(cards[1]!.fields!, TODAY), { firstName: '', organization: 'Initech', birthday: null });
  // 14/3/1990: the first number cannot be a month.
  t.like(validateContact(cards[2]!.fields!, TODAY), { birthday: '1990-03-14' });
});

test('values no field holds (Outlook’s Spouse, Google’s other events) are kept as lines of the notes, as long as the notes stay within their limit', async (t) => {
  const outlook = `First Name,Last Name,E-mail Address,Notes,Spouse,Children,Priority,Sensitivity\r\nAnn,Lee,,"Line one\r\nline two",Bob,"Cy, Di",Normal,Normal\r\n`;
  t.is((await reader.read(bytes(outlook), 10))[0]!.fields!.notes, 'Line one\r\nline two\nSpouse: Bob\nChildren: Cy, Di');
  const google = `First Name,Labels,Notes,Event 1 - Label,Event 1 - Value,Event 2 - Label,Event 2 - Value\nAnn,,,Anniversary,2001-01-01,Graduation,2010-06-01\n`;
  const [ann] = await reader.read(bytes(google), 10);
  t.like(ann!.fields, { anniversary: '2001-01-01', notes: 'Graduation: 2010-06-01' });
  const full = `First Name,Last Name,E-mail Address,Notes,Spouse\r\nAnn,Lee,,${'n'.repeat(1995)},Robert\r\n`;
  const kept = (await reader.read(bytes(full), 10))[0]!.fields!;
  t.is(kept.notes, 'n'.repeat(1995));
  t.notThrows(() => validateContact(kept, TODAY));
});

test('an email or phone written twice (two columns, or twice in a cell) is one entry, the first label kept', async (t) => {
  const outlook = `First Name,E-mail Address,E-mail 2 Address,Mobile Phone,Business Phone\r\nAnn,ann@example.com,ANN@example.com,+1 555 010 0100,+1 (555) 010-0100\r\n`;
  t.like((await reader.read(bytes(outlook), 10))[0]!.fields, {
    emails: [{ value: 'ann@example.com', label: 'other' }],
    phones: [{ value: '+1 555 010 0100', label: 'mobile' }],
  });
  const google = `First Name,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value\nAnn,,Home,a@example.com ::: a@example.com,Work,A@EXAMPLE.COM\n`;
  t.like((await reader.read(bytes(google), 10))[0]!.fields, { emails: [{ value: 'a@example.com', label: 'Home' }] });
});

test('a UTF-8 byte-order mark, UTF-16 with its mark, and a semicolon-separated Outlook file read alike', async (t) => {
  const text = `${OUTLOOK_HEADER}\r\nAnn,,Lee,,,,,,ann@example.com,,,,\r\n`;
  const expected = { firstName: 'Ann', lastName: 'Lee', emails: [{ value: 'ann@example.com', label: 'other' }] };
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(text)]);
  t.like((await reader.read(withBom, 10))[0]!.fields, { firstName: 'Ann' });
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  t.like(validateContact((await reader.read(utf16, 10))[0]!.fields!, TODAY), expected);
  const semicolons = bytes(text.replaceAll(',', ';'));
  t.like(validateContact((await reader.read(semicolons, 10))[0]!.fields!, TODAY), expected);
});

test('blank rows are not cards; a header with no rows is no card', async (t) => {
  t.is((await reader.read(bytes(`${GOOGLE_HEADER}\n,,,,,,,,\n\nAnn,,Lee,,,,,,\n`), 10)).length, 1);
  t.deepEqual(await reader.read(bytes(`${GOOGLE_HEADER}\n`), 10), []);
});

test('a CSV whose header row is neither Google’s nor Outlook’s is UnknownCsvLayout', async (t) => {
  await t.throwsAsync(reader.read(bytes('name,email,phone\nAnn,ann@example.com,555-0100\n'), 10), { instanceOf: UnknownCsvLayout });
  // Thunderbird's export shares some column names with Outlook's, but not the ones its data is in.
  const thunderbird =
    'First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Work Phone,Home Phone,Mobile Number,Job Title,Department,Organization\n';
  await t.throwsAsync(reader.read(bytes(`${thunderbird}Ann,Lee,Ann Lee,,ann@example.com,,,,,CTO,,Acme\n`), 10), { instanceOf: UnknownCsvLayout });
  await t.throwsAsync(reader.read(bytes('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEND:VCARD\r\n'), 10), { instanceOf: UnknownCsvLayout });
});

test('binary data, an empty file and a quote never closed are NotACsvFile', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  await t.throwsAsync(reader.read(png, 10), { instanceOf: NotACsvFile });
  await t.throwsAsync(reader.read(Buffer.alloc(0), 10), { instanceOf: NotACsvFile });
  await t.throwsAsync(reader.read(bytes(' \r\n '), 10), { instanceOf: NotACsvFile });
  const error = await t.throwsAsync(reader.read(bytes(`${GOOGLE_HEADER}\nAnn,,Lee,,,,,,"never closed\n`), 10), { instanceOf: NotACsvFile });
  t.regex(error!.message, /quoted cell is never closed/);
});

test('a 5 MB cell is refused as soon as its row passes the row limit; a row of 10,000 columns reads', async (t) => {
  const huge = bytes(`${GOOGLE_HEADER}\nAnn,,Lee,,,,,,"${'x'.repeat(5_000_000)}"\n`);
  const started = performance.now();
  const error = await t.throwsAsync(reader.read(huge, 10), { instanceOf: NotACsvFile });
  t.regex(error!.message, new RegExp(`longer than ${MAX_ROW_CHARACTERS.toLocaleString('en')} characters`));
  t.true(performance.now() - started < 2000);
  const wide = bytes(`${GOOGLE_HEADER}\nAnn,,Lee,,,,,,note${',x'.repeat(10_000)}\n`);
  const cards = await reader.read(wide, 10);
  t.like(cards[0]!.fields, { firstName: 'Ann', notes: 'note' });
  const wideHeader = bytes(`${GOOGLE_HEADER}${',Custom'.repeat(10_000)}\nAnn,,Lee\n`);
  t.like((await reader.read(wideHeader, 10))[0]!.fields, { firstName: 'Ann' });
});

test('more rows than maxCards is TooManyCards; exactly maxCards reads', async (t) => {
  const rows = (n: number) => bytes(`${GOOGLE_HEADER}\n${'Ann,,Lee,,,,,,\n'.repeat(n)}`);
  t.is((await reader.read(rows(5), 5)).length, 5);
  await t.throwsAsync(reader.read(rows(6), 5), { instanceOf: TooManyCards });
});

test('a large file yields to the event loop while it is read', async (t) => {
  const file = bytes(`${GOOGLE_HEADER}\n${'Ann,,Lee,* myContacts ::: Friends,Home,ann@example.com,Mobile,555-0100,some notes here\n'.repeat(40_000)}`);
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
  }, 0);
  try {
    t.is((await reader.read(file, 50_000)).length, 40_000);
  } finally {
    clearInterval(timer);
  }
  t.true(ticks > 3, `${ticks} timer ticks while 3.6 MB were read`);
});
