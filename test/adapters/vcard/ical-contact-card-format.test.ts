import test from 'ava';
import ICAL from 'ical.js';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { IcalContactCardFormat } from '../../../src/adapters/vcard/ical-contact-card-format.js';
import { NotAVCardFile, TooManyCards } from '../../../src/domain/contact.errors.js';
import { validateContact, type Contact, type ContactFields } from '../../../src/domain/contact.js';

const format = new IcalContactCardFormat();
const TODAY = '2026-12-01';
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/vcard/${name}`, import.meta.url));
const read = (bytes: Uint8Array) => format.read(bytes, 1000);
const cards = (name: string) => read(fixture(name));

/** What an import would keep of each card: the validated fields, or the problem. */
async function outcome(name: string) {
  return (await cards(name)).map((card) => {
    if (!card.fields) return { name: card.name, problem: card.problem };
    try {
      return validateContact(card.fields, TODAY);
    } catch (error) {
      return { name: card.name, invalid: (error as { errors: { field: string }[] }).errors.map((e) => e.field) };
    }
  });
}

test('Google Contacts export: several cards, names from N, the email of each', async (t) => {
  t.deepEqual(
    await outcome('ez-vcard-gmail-list.vcf'),
    [
      ['Arnold', 'Smith', 'asmithk@gmail.com'],
      ['Chris', 'Beatle', 'chrisy55d@yahoo.com'],
      ['Doug', 'White', 'dwhite@gmail.com'],
    ].map(([firstName, lastName, email]) => ({ firstName, lastName, email, phone: null, birthday: null, notes: null })),
  );
  t.like((await outcome('ez-vcard-gmail-single2.vcf'))[0], {
    firstName: 'VCard',
    lastName: 'Test',
    email: 'email@example.com',
    phone: '5555551111',
    birthday: '1912-06-23',
    notes: 'note line 1\nnote line 2\nCustomField: field value',
  });
});

test('Apple Contacts (iOS, Mac): the preferred grouped item1.EMAIL, the preferred TEL, PHOTO blobs ignored', async (t) => {
  t.deepEqual(await outcome('ez-vcard-John_Doe_IPHONE.vcf'), [
    { firstName: 'John', lastName: 'Doe', email: 'john.doe@ibm.com', phone: '905-555-1234', birthday: '2012-06-06', notes: null },
  ]);
  // The Mac's `PHOTO;BASE64:` (a 2.1 habit in a 3.0 card) alone makes ical.js refuse the whole file.
  t.like((await outcome('ez-vcard-John_Doe_MAC_ADDRESS_BOOK.vcf'))[0], {
    firstName: 'John',
    lastName: 'Doe',
    email: 'john.doe@ibm.com',
    phone: '905-777-1234',
    birthday: '2012-06-06',
  });
});

test('Outlook vCard 2.1: bare parameters, quoted-printable notes over several lines, BDAY 19800322', async (t) => {
  const [outlook] = await outcome('ez-vcard-John_Doe_MS_OUTLOOK.vcf');
  t.like(outlook, { firstName: 'John', lastName: 'Doe', email: 'john.doe@ibm.cm', phone: '(905) 555-1234', birthday: '1980-03-22' });
  const [o2007] = (await outcome('ez-vcard-outlook-2007.vcf')) as ContactFields[];
  t.like(o2007, { firstName: 'Michael', lastName: 'Angstadt', email: 'mike.angstadt@gmail.com', phone: '(111) 555-1111', birthday: '1922-03-10' });
  t.true(o2007!.notes!.startsWith('This is the NOTE field\t\nI assume it encodes this text inside a NOTE vCard type.\nBut I'));
  // Outlook 2003's sample has words where the numbers go: that card is reported, not imported.
  t.deepEqual(await outcome('ez-vcard-outlook-2003.vcf'), [{ name: 'John Doe III', invalid: ['phone'] }]);
  t.is((await cards('ez-vcard-outlook-2003.vcf'))[0]!.fields!.notes, 'This is the note field!!\nSecond line\n\nThird line is empty');
});

test('Android vCard 2.1: quoted-printable UTF-8 names with soft line breaks; cards without a name are reported', async (t) => {
  const result = await outcome('ez-vcard-John_Doe_ANDROID.vcf');
  t.is(result.length, 6);
  t.deepEqual(result.slice(0, 2), [
    { name: null, problem: 'the card has no name (FN or N)' },
    { name: null, problem: 'the card has no name (FN or N)' },
  ]);
  t.like(result[2], { firstName: 'Ñ Ñ Ñ Ñ Ñ', phone: '123456789' });
  t.like(result[3], { firstName: 'Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ', phone: '123456' });
  t.like(result[4], { firstName: 'Ñ Ñ Ñ', lastName: 'Ñ Ñ', email: 'bob@company.com' });
});

test('Thunderbird, Evolution and Lotus Notes exports: CHARSET on 3.0 lines, escaped semicolons in notes', async (t) => {
  const [thunderbird] = (await outcome('ez-vcard-thunderbird-MoreFunctionsForAddressBook-extension.vcf')) as ContactFields[];
  t.like(thunderbird, { firstName: 'John', lastName: 'Doe', email: 'doe.john@hotmail.com', phone: '555-555-1111', birthday: '1970-09-21' });
  t.true(thunderbird!.notes!.endsWith('You can put anything in the "note" field; even curse words.'));
  t.like((await outcome('ez-vcard-John_Doe_EVOLUTION.vcf'))[0], { firstName: 'John', lastName: 'Doe', email: 'john.doe@ibm.com', birthday: '1980-03-22' });
  t.like((await outcome('ez-vcard-John_Doe_LOTUS_NOTES.vcf'))[0], {
    firstName: 'John',
    lastName: 'Doe',
    email: 'john.doe@ibm.com',
    phone: '+1 (212) 204-34456',
    birthday: '1980-05-21',
  });
});

test('the RFC examples and other libraries’ samples: 4.0 tel: URIs and --0203, 3.0 TYPE=PREF, 2.1 with VERSION last', async (t) => {
  t.deepEqual(await outcome('ez-vcard-rfc6350-example.vcf'), [
    { firstName: 'Simon', lastName: 'Perreault', email: 'simon.perreault@viagenie.ca', phone: '+1-418-656-9254', birthday: '--02-03', notes: null },
  ]);
  t.deepEqual(
    (await outcome('ez-vcard-rfc2426-example.vcf')).map((c) => (c as ContactFields).email),
    ['Frank_Dawson@Lotus.com', 'howes@netscape.com'],
  );
  t.like((await outcome('ez-vcard-rfc2426-example.vcf'))[0], { firstName: 'Frank Dawson', lastName: '' });
  t.like((await outcome('node-vcf-vcard-4.0.vcf'))[0], { firstName: 'Forrest', lastName: 'Gump', email: 'forrestgump@example.com', phone: '+11115551212' });
  t.like((await outcome('node-vcf-vcard-2.1.vcf'))[0], { firstName: 'Forrest', lastName: 'Gump', email: 'forrestgump@example.com', phone: '(111) 555-1212' });
  t.deepEqual(
    (await outcome('node-vcf-multiple.vcf')).map((c) => (c as ContactFields).phone),
    ['+49-221-9999123', '(0221) 9999123', '+49 221 9999123'],
  );
  t.like((await outcome('ical-js-vcard3.vcf'))[0], { firstName: 'John', lastName: 'Public', birthday: '1996-04-15' });
});

test('a UTF-8 BOM, names in Cyrillic, Japanese, Arabic and Greek, Apple year-less birthdays, --0229, PREF=1, a data: PHOTO', async (t) => {
  t.deepEqual(await outcome('project-apple-bom-scripts.vcf'), [
    { firstName: 'Анна', lastName: 'Karenina', email: 'anna@example.ru', phone: '+7 495 123-45-67', birthday: '--05-17', notes: null },
    { firstName: '太郎', lastName: '山田', email: 'taro@example.jp', phone: null, birthday: '1990-05-17', notes: '東京で会った\nSecond line, with a comma' },
    { firstName: 'ليلى', lastName: '', email: 'layla@example.com', phone: null, birthday: '--02-29', notes: null },
    { firstName: 'Αλέξης', lastName: 'Παπαδόπουλος', email: null, phone: '+30-21-0123-4567', birthday: '1985-11-03', notes: null },
  ]);
});

test('2.1 with ISO-8859-1 and UTF-8 quoted-printable; a card without a name, one in the future and one never ended are reported', async (t) => {
  const result = await outcome('project-2.1-charsets-and-problems.vcf');
  t.deepEqual(result[0], {
    firstName: 'Jürgen',
    lastName: 'Müller',
    email: 'juergen@example.de',
    phone: '+49 30 1234567',
    birthday: '1979-12-31',
    notes: 'Straße 5, Berlin\nZweite Zeile; mit Semikolon',
  });
  t.like(result[1], { firstName: 'Broken card', email: 'juergen@example.de' });
  t.deepEqual(result.slice(2), [
    { name: null, problem: 'the card has no name (FN or N)' },
    { name: 'Bloomer Late', invalid: ['birthday'] },
    { name: null, problem: 'the card has no END:VCARD' },
  ]);
});

test('bytes that are not UTF-8 are read as Windows-1252', async (t) => {
  const bytes = Buffer.concat([Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ren'), Buffer.from([0xe9]), Buffer.from('e\r\nEND:VCARD\r\n')]);
  t.is((await read(bytes))[0]!.name, 'Renée');
});

test('a file without any card is NotAVCardFile; a malformed card is reported and the next one still read', async (t) => {
  for (const text of ['', '{"firstName":"Ann"}', 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', '\u0000\u0001\u0002']) {
    await t.throwsAsync(read(Buffer.from(text)), { instanceOf: NotAVCardFile }, JSON.stringify(text));
  }
  const result = await read(
    Buffer.from(
      'BEGIN:VCARD\r\nVERSION:5.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:B\r\nBDAY;VALUE=date:x"y\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:C\u0000\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:D\r\nEND:VCARD\r\n',
    ),
  );
  t.is(result.length, 4);
  t.like(result[0], { fields: null, problem: 'vCard version 5.0 is not supported' });
  t.is(result[3]!.name, 'D');
  // NUL and other control characters reach validation, which refuses them.
  t.throws(() => validateContact(result[2]!.fields!, TODAY));
});

test('more cards than the import allows is TooManyCards, before any is parsed', async (t) => {
  const many = 'BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n'.repeat(1001);
  await t.throwsAsync(read(Buffer.from(many)), { instanceOf: TooManyCards });
  t.is((await format.read(Buffer.from(many), 1001)).length, 1001);
});

test('a megabyte-long line and a card nested in another neither hang nor crash', async (t) => {
  const long = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Long\r\nNOTE:${'x'.repeat(1_000_000)}\r\nPHOTO;ENCODING=b:${'A'.repeat(1_000_000)}\r\nEND:VCARD\r\n`;
  const [card] = await read(Buffer.from(long));
  t.is(card!.name, 'Long');
  t.throws(() => validateContact(card!.fields!, TODAY));
  const nested = 'BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Outer\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Inner\r\nEND:VCARD\r\nEND:VCARD\r\n';
  t.deepEqual(
    (await read(Buffer.from(nested))).map((c) => c.name),
    ['Outer'],
  );
});

function contact(overrides: Partial<Contact> = {}): Contact {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    version: 3,
    firstName: 'Zoë',
    lastName: 'O’Brien-Łukasz',
    email: 'zoe@example.com',
    phone: '+44 (20) 7946-0958',
    birthday: '1990-05-17',
    notes: `line one\nsemi; colon, comma \\ backslash 🎉 ${'é'.repeat(120)}`,
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:11:12.345Z',
    ...overrides,
  };
}

/** The properties of a card as a strict reader (ical.js on its own, no pre-pass) finds them. */
function strictlyRead(text: string): Record<string, { params: Record<string, unknown>; type: string; value: unknown }> {
  const [name, props] = ICAL.parse(text) as unknown as [string, [string, Record<string, unknown>, string, unknown][]];
  if (name !== 'vcard') throw new Error(`not a vcard: ${name}`);
  return Object.fromEntries(props.map(([key, params, type, value]) => [key, { params, type, value }]));
}

/**
 * ical.js decodes `\;` only in compound values (N, ADR); export escapes `;` in every text value, as
 * RFC 2426 requires and RFC 6350 §3.4 allows, so a plain text value as ical.js gives it back keeps
 * that one escape (each `\;` it leaves is one export wrote).
 */
function icalText(value: unknown): string {
  return String(value).replaceAll('\\;', ';');
}

for (const version of ['4.0', '3.0'] as const) {
  test(`export as vCard ${version}: CRLF lines of at most 75 octets that a strict parser reads back, with UID, FN, N, EMAIL, TEL, BDAY, NOTE, REV`, async (t) => {
    const c = contact();
    const text = format.write(c, version);
    t.true(text.endsWith('END:VCARD\r\n'));
    t.false(/[^\r]\n/.test(text), 'every line ends in CRLF');
    for (const line of text.split('\r\n')) t.true(Buffer.byteLength(line) <= 75, `${Buffer.byteLength(line)} octets: ${line}`);
    t.true(text.includes('\r\n '), 'the long note is folded');
    const props = strictlyRead(text);
    t.is(props.version!.value, version);
    t.is(props.uid!.value, c.id);
    t.is(props.fn!.value, 'Zoë O’Brien-Łukasz');
    t.deepEqual(props.n!.value, ['O’Brien-Łukasz', 'Zoë', '', '', '']);
    t.is(props.email!.value, c.email);
    t.is(props.tel!.value, c.phone);
    t.is(props.bday!.value, '1990-05-17');
    t.is(icalText(props.note!.value), c.notes!);
    t.regex(text, /\r\nREV:20261130T101112Z\r\n/);
  });
}

test('a birthday without a year is --MMDD in vCard 4.0 and Apple’s X-APPLE-OMIT-YEAR in 3.0; absent fields are left out', async (t) => {
  const c = contact({ birthday: '--02-29', email: null, phone: null, notes: null, lastName: '' });
  const v4 = format.write(c, '4.0');
  t.regex(v4, /\r\nBDAY;VALUE=DATE:--0229\r\n/);
  t.is(strictlyRead(v4).bday!.value, '--02-29');
  const v3 = format.write(c, '3.0');
  t.regex(v3, /\r\nBDAY;X-APPLE-OMIT-YEAR=1604;VALUE=DATE:16040229\r\n/);
  for (const text of [v4, v3]) {
    t.false(/\r\n(EMAIL|TEL|NOTE)[;:]/.test(text));
    t.regex(text, /\r\nFN:Zoë\r\nN:;Zoë;;;\r\n/);
  }
});

test('every contact written, in either version, reads back as the same fields', async (t) => {
  const tricky = [
    contact(),
    contact({ firstName: 'A', lastName: '', email: null, phone: null, birthday: null, notes: null }),
    contact({ firstName: 'Semi;colon, comma', lastName: 'Back\\slash', birthday: '--12-31', notes: 'a\\;b\n\nc,' }),
    contact({ firstName: '山田', lastName: '太郎', notes: '𠮷'.repeat(500), birthday: '2000-02-29' }),
    contact({ firstName: 'x'.repeat(50), lastName: 'ليلى', email: 'UPPER@Example.COM', phone: '12345' }),
  ];
  for (const version of ['4.0', '3.0'] as const) {
    const file = tricky.map((c) => format.write(c, version)).join('');
    const back = (await read(Buffer.from(file))).map((card) => validateContact(card.fields!, TODAY));
    const expected = tricky.map(({ firstName, lastName, email, phone, birthday, notes }) => ({ firstName, lastName, email, phone, birthday, notes }));
    t.deepEqual(back, expected, version);
  }
});
