import test from 'ava';
import ICAL from 'ical.js';
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { IcalContactCardFormat } from '../../../src/adapters/vcard/ical-contact-card-format.js';
import { MAX_CARD_LINES, MAX_CARD_PARAM_VALUES } from '../../../src/adapters/vcard/vcard-content-lines.js';
import type { CardRead } from '../../../src/application/ports/contact-card-format.js';
import { NotAVCardFile, TooManyCards } from '../../../src/domain/contact.errors.js';
import { type CardProperty, type Contact, type ContactFields, EMPTY_CONTACT_FIELDS, validateContact } from '../../../src/domain/contact.js';

const format = new IcalContactCardFormat();
const TODAY = '2026-12-01';
const FIXTURES = new URL('../../fixtures/vcard/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
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

/** The contact an import makes of a card: its validated fields, the kept card. */
function contactOf(card: CardRead, overrides: Partial<Contact> = {}): Contact {
  return {
    ...validateContact(card.fields!, TODAY),
    id: randomUUID(),
    userId: randomUUID(),
    version: 1,
    photo: null,
    card: card.card ?? null,
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:11:12.345Z',
    ...overrides,
  };
}

const emails = (c: unknown) => (c as ContactFields).emails.map((e) => e.value);
const phones = (c: unknown) => (c as ContactFields).phones.map((e) => e.value);

test('Google Contacts export: several cards, names from N, the email of each; labelled entries and notes', async (t) => {
  const list = (await outcome('ez-vcard-gmail-list.vcf')) as ContactFields[];
  t.deepEqual(
    list.map((c) => [c.firstName, c.lastName, emails(c)]),
    [
      ['Arnold', 'Smith', ['asmithk@gmail.com']],
      ['Chris', 'Beatle', ['chrisy55d@yahoo.com']],
      ['Doug', 'White', ['dwhite@gmail.com']],
    ],
  );
  t.like((await outcome('ez-vcard-gmail-single2.vcf'))[0], {
    firstName: 'VCard',
    lastName: 'Test',
    emails: [
      { value: 'email@example.com', label: 'other' },
      { value: 'homeemail@example.com', label: 'home' },
      { value: 'workemail@example.com', label: 'work' },
      { value: 'otheremail@example.com', label: 'other' },
      { value: 'customcategory@example.com', label: 'CustomEmailCategory' },
    ],
    birthday: '1912-06-23',
    notes: 'note line 1\nnote line 2\nCustomField: field value',
  });
  t.deepEqual(phones((await outcome('ez-vcard-gmail-single2.vcf'))[0]).slice(0, 1), ['5555551111']);
  // Google's export of an Apple-made card: an X-ABDATE labelled as the anniversary, `\"` and `http\://`.
  const [gmail] = (await outcome('ez-vcard-John_Doe_GMAIL.vcf')) as ContactFields[];
  t.like(gmail, {
    firstName: 'John',
    lastName: 'Doe',
    middleName: 'Richter, James',
    prefix: 'Mr.',
    suffix: 'Sr.',
    anniversary: '1975-03-01',
    birthday: '1980-03-22',
  });
  t.deepEqual(gmail!.urls, [{ value: 'http://www.ibm.com', label: 'work' }]);
  t.is(gmail!.addresses[0]!.extended, 'Crescent moon drive, 555-asd, Nice Area, Albaney, New York 12345, United States of America');
  t.true(gmail!.notes!.startsWith('THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"'));
});

test('Apple Contacts (iOS, Mac): every name part, grouped item1.EMAIL, typed phones with X-ABLabel, addresses, the photo', async (t) => {
  const [iphone] = await cards('ez-vcard-John_Doe_IPHONE.vcf');
  t.like(validateContact(iphone!.fields!, TODAY), {
    firstName: 'John',
    middleName: 'Richter James',
    lastName: 'Doe',
    prefix: 'Mr.',
    suffix: 'Sr.',
    nickname: 'Johny',
    organization: 'IBM',
    department: 'Accounting',
    jobTitle: 'Money Counter',
    birthday: '2012-06-06',
    emails: [{ value: 'john.doe@ibm.com', label: 'other' }],
    urls: [{ value: 'http://www.ibm.com', label: 'homepage' }],
  });
  t.deepEqual(
    (iphone!.fields!.phones as { label: string }[]).map((p) => p.label),
    ['mobile', 'home', 'work', 'fax', 'fax', 'pager', 'AssistantPhone'],
  );
  t.like((iphone!.fields!.addresses as unknown[])[1], { label: 'work', street: 'Street4, Building 6, Floor 8', locality: 'New York', country: 'USA' });
  t.is(iphone!.photo!.mediaType, 'image/jpeg');
  t.deepEqual([...iphone!.photo!.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  t.false(
    iphone!.card!.properties.some((p) => p.name === 'PHOTO'),
    'the photo travels apart from the kept properties',
  );
  // The Mac's `PHOTO;BASE64:` (a 2.1 habit in a 3.0 card) is a photo as well.
  const [mac] = await cards('ez-vcard-John_Doe_MAC_ADDRESS_BOOK.vcf');
  t.like(mac!.fields, { firstName: 'John', lastName: 'Doe', birthday: '2012-06-06' });
  t.deepEqual(phones(mac!.fields).slice(0, 1), ['905-777-1234']);
  t.deepEqual([...mac!.photo!.bytes.subarray(0, 2)], [0xff, 0xd8]);
});

test('Apple company cards, X-ABDATE anniversaries, custom labels, a year-less birthday, and group cards whose members get labels', async (t) => {
  const [acme, jane, bookClub, climbing] = await cards('project-apple-groups-companies.vcf');
  t.like(validateContact(acme!.fields!, TODAY), {
    firstName: '',
    organization: 'Acme Widgets Ltd.',
    department: 'Sales',
    phones: [{ value: '+1 555 0100', label: 'main' }],
    urls: [{ value: 'https://acme.example.com', label: 'homepage' }],
    labels: ['Book Club'],
  });
  t.deepEqual(validateContact(jane!.fields!, TODAY), {
    ...EMPTY_CONTACT_FIELDS,
    firstName: 'Jane',
    lastName: 'Appleseed',
    middleName: 'Q.',
    prefix: 'Dr.',
    suffix: 'PhD',
    nickname: 'Janie',
    organization: 'Acme Widgets Ltd.',
    jobTitle: 'Chief Widget Officer',
    emails: [
      { value: 'jane@acme.example.com', label: 'work' },
      { value: 'jane.home@example.com', label: 'Weekend' },
    ],
    phones: [
      { value: '+1 (555) 010-0200', label: 'mobile' },
      { value: '+1 555 0300 x12', label: 'Studio' },
    ],
    addresses: [
      {
        label: 'home',
        poBox: '',
        extended: '',
        street: '1 Infinite Loop, Building 2',
        locality: 'Cupertino',
        region: 'CA',
        postalCode: '95014',
        country: 'United States',
      },
    ],
    birthday: '--07-04',
    anniversary: '2010-06-12',
    notes: 'Met at WWDC; likes "quotes" and back\\slashes.\nSecond line',
    labels: ['Work', 'Friends', 'Book Club', 'Climbing'],
  });
  t.is(jane!.card!.uid, '8D6E6E5B-1F6B-4B4C-9C6E-JANE00000002');
  t.is(jane!.photo ?? null, null, 'a PHOTO that is a link is not fetched');
  t.true(jane!.card!.properties.some((p) => p.name === 'PHOTO' && p.value === 'https://example.com/jane.jpg'));
  for (const [group, name] of [
    [bookClub, 'Book Club'],
    [climbing, 'Climbing'],
  ] as const) {
    t.like(group, { name, fields: null, problem: `a group card, not a contact: its members in this file get the label “${name}”` });
    t.truthy(group!.card);
  }
  t.deepEqual(bookClub!.group!.members.length, 2);
});

test('Outlook vCard 2.1: bare parameters, quoted-printable notes over several lines, BDAY 19800322; a phone in words stays in the card', async (t) => {
  const [outlook] = await outcome('ez-vcard-John_Doe_MS_OUTLOOK.vcf');
  t.like(outlook, { firstName: 'John', lastName: 'Doe', birthday: '1980-03-22', organization: 'IBM', jobTitle: 'Money Counter' });
  t.deepEqual(emails(outlook), ['john.doe@ibm.cm']);
  t.deepEqual(phones(outlook)[0], '(905) 555-1234');
  const [o2007] = (await outcome('ez-vcard-outlook-2007.vcf')) as ContactFields[];
  t.like(o2007, { firstName: 'Michael', lastName: 'Angstadt', birthday: '1922-03-10' });
  t.deepEqual(emails(o2007)[0], 'mike.angstadt@gmail.com');
  t.deepEqual(phones(o2007)[0], '(111) 555-1111');
  t.true(o2007!.notes!.startsWith('This is the NOTE field\t\nI assume it encodes this text inside a NOTE vCard type.\nBut I'));
  // Outlook 2003's sample has words where the numbers go: those are no phones, and stay in the card.
  const [o2003] = await cards('ez-vcard-outlook-2003.vcf');
  t.like(validateContact(o2003!.fields!, TODAY), { firstName: 'John', lastName: 'Doe', notes: 'This is the note field!!\nSecond line\n\nThird line is empty' });
  t.true(o2003!.card!.properties.filter((p) => p.name === 'TEL').length > 0);
});

test('Android vCard 2.1: quoted-printable UTF-8 names with soft line breaks; cards without a name are reported', async (t) => {
  const result = await outcome('ez-vcard-John_Doe_ANDROID.vcf');
  t.is(result.length, 6);
  const nameless = { name: null, problem: 'the card has neither a name nor an organization' };
  t.deepEqual(result.slice(0, 2), [nameless, nameless]);
  t.like(result[2], { firstName: 'Ñ Ñ Ñ Ñ Ñ' });
  t.deepEqual(phones(result[2]), ['123456789']);
  t.like(result[4], { firstName: 'Ñ Ñ Ñ', lastName: 'Ñ Ñ' });
  t.deepEqual(emails(result[4]), ['bob@company.com']);
});

test('Thunderbird, Evolution, Lotus Notes and BlackBerry exports: CHARSET on 3.0 lines, escaped semicolons in notes', async (t) => {
  const [thunderbird] = (await outcome('ez-vcard-thunderbird-MoreFunctionsForAddressBook-extension.vcf')) as ContactFields[];
  t.like(thunderbird, { firstName: 'John', lastName: 'Doe', birthday: '1970-09-21' });
  t.deepEqual(emails(thunderbird).slice(0, 1), ['doe.john@hotmail.com']);
  t.true(thunderbird!.notes!.endsWith('You can put anything in the "note" field; even curse words.'));
  t.like((await outcome('ez-vcard-John_Doe_EVOLUTION.vcf'))[0], { firstName: 'John', lastName: 'Doe', birthday: '1980-03-22' });
  const [lotus] = await outcome('ez-vcard-John_Doe_LOTUS_NOTES.vcf');
  t.like(lotus, { firstName: 'John', lastName: 'Doe', birthday: '1980-05-21' });
  t.deepEqual(phones(lotus)[0], '+1 (212) 204-34456');
  const [blackberry] = await outcome('ez-vcard-John_Doe_BLACK_BERRY.vcf');
  t.like(blackberry, { firstName: 'john', lastName: 'Doe' });
});

test('DAVx⁵ (vcard4android) and KDE (kcontacts) test cards: every field, tel: URIs with an extension, ANNIVERSARY, custom labels', async (t) => {
  const [davx5] = await cards('davx5-allfields-vcard3.vcf');
  t.like(validateContact(davx5!.fields!, TODAY), {
    firstName: 'Firstname',
    middleName: 'Middlename1 Middlename2',
    lastName: 'Lastname',
    prefix: 'DDDr.',
    suffix: 'MBA',
    nickname: 'Nick1, Nick2',
    organization: 'ABC, Inc.',
    department: 'North American Division',
    jobTitle: 'Director, Research and Development',
    emails: [
      { value: 'private@example.com', label: 'home' },
      { value: 'work@example.com', label: '@work' },
    ],
    birthday: '1996-04-15',
    anniversary: '2014-08-12',
    notes: 'This fax number is operational 0800 to 1715 EST, Mon-Fri.',
    labels: ['A', "B'C"],
  });
  t.like((davx5!.fields!.addresses as unknown[])[1], { label: 'Monkey Tree', poBox: 'Postfach 314', street: 'Teststraße 22', country: 'Klöster-Reich' });
  t.is(davx5!.card!.uid, 'mostfields1@at.bitfire.vcard4android');
  t.truthy(davx5!.photo);
  // `+1-800-MYFAX` is no number the model takes: the TEL stays in the card as it was.
  t.true(davx5!.card!.properties.some((p) => p.name === 'TEL' && p.value === '+1-800-MYFAX'));

  const [sherlock] = await cards('kde-testfullvcard.vcf');
  t.like(validateContact(sherlock!.fields!, TODAY), {
    firstName: 'Sherlock',
    lastName: 'Holmes',
    prefix: 'Mr',
    nickname: 'Shirley',
    jobTitle: 'Detective',
    birthday: '1953-10-15',
    anniversary: '1996-04-15',
    emails: [
      { value: 'detective@sherlockholmes.com', label: 'work' },
      { value: 'sherlock.holmes@gmail.com', label: 'home' },
    ],
    phones: [
      { value: '+44-555-555-5555;ext=5555', label: 'home' },
      { value: '+44-555-555-6666', label: 'mobile' },
      { value: '+44-555-555-7777', label: 'work' },
    ],
    labels: ['FICTION', 'LITERATURE'],
  });
  t.is(sherlock!.card!.uid, 'urn:uuid:b8767877-b4a1-4c70-9acc-505d3819e519');
  const [kdeApple] = await cards('kde-vcardwithitemasapplesupport.vcf');
  t.like(kdeApple!.fields, { firstName: 'SOMENAME', organization: 'SOME COMPANY', notes: 'SOME NOTES' });
  const [messaging] = await cards('kde-vcard_legacy_messaging_fields.vcf');
  t.deepEqual(
    messaging!.card!.properties.filter((p) => p.name.startsWith('X-MESSAGING')).map((p) => p.value),
    ['kdecommunity', 'konqui', 'one@test.org\ue000two@test.org'],
  );
});

test('flutter_contacts’ real exports: Android 2.1 (quoted-printable name, X-ANDROID-CUSTOM anniversary, a custom X- type), iOS, macOS, WhatsApp', async (t) => {
  const [android] = await cards('flutter-contacts-android-default-contact-app.vcf');
  t.like(validateContact(android!.fields!, TODAY), {
    firstName: 'John',
    middleName: 'Jøhñ',
    lastName: 'Smith',
    prefix: 'Dr',
    suffix: 'Jr',
    organization: 'FlutterContacts',
    birthday: '1983-02-23',
    anniversary: '--03-23',
    notes: 'Notes line 1\nNotes line 2\nNotes line 3',
    phones: [
      { value: '555-123-4567', label: 'mobile' },
      { value: '+1-555-000-1111', label: 'home' },
      { value: '555-222-3333', label: 'CustomLabel' },
    ],
  });
  t.deepEqual([...android!.photo!.bytes.subarray(0, 2)], [0xff, 0xd8]);
  for (const name of ['flutter-contacts-ios.vcf', 'flutter-contacts-macos.vcf']) {
    const [apple] = await cards(name);
    const fields = validateContact(apple!.fields!, TODAY);
    t.like(fields, { nickname: 'Nick', department: 'Package division', jobTitle: 'Software Engineer', birthday: '--08-02' }, name);
    t.deepEqual(
      fields.phones.map((p) => p.label),
      ['mobile', 'mobile', 'home', 'work', 'main', 'fax', 'fax', 'fax', 'pager', 'other', 'Custom Label'],
      name,
    );
    // iOS keeps addresses as typed (`www.example1.com`); they are web addresses.
    t.deepEqual(
      fields.urls.map((u) => `${u.label} ${u.value}`),
      [
        'homepage http://www.example1.com',
        'home http://www.example2.com',
        'work http://www.example3.com',
        'other http://www.example4.com',
        'Custom URL http://www.example5.com',
      ],
      name,
    );
    t.is(apple!.card!.properties.filter((p) => p.name === 'X-SOCIALPROFILE').length, 8, name);
  }
  const [whatsapp] = await cards('flutter-contacts-whatsapp.vcf');
  t.deepEqual(
    validateContact(whatsapp!.fields!, TODAY).phones.map((p) => p.label),
    ['CustomLabel', 'other', 'mobile'],
  );
});

test('the RFC examples and other libraries’ samples: 4.0 tel: URIs and --0203, 3.0 TYPE=PREF, 2.1 with VERSION last', async (t) => {
  const [rfc6350] = await outcome('ez-vcard-rfc6350-example.vcf');
  t.like(rfc6350, { firstName: 'Simon', lastName: 'Perreault', birthday: '--02-03', organization: 'Viagenie' });
  t.deepEqual(emails(rfc6350), ['simon.perreault@viagenie.ca']);
  t.deepEqual(phones(rfc6350)[0], '+1-418-656-9254;ext=102');
  const rfc2426 = await outcome('ez-vcard-rfc2426-example.vcf');
  t.deepEqual(
    rfc2426.map((c) => emails(c)[0]),
    ['Frank_Dawson@Lotus.com', 'howes@netscape.com'],
  );
  t.like(rfc2426[0], { firstName: 'Frank Dawson', lastName: '', organization: 'Lotus Development Corporation' });
  t.like((await outcome('node-vcf-vcard-4.0.vcf'))[0], { firstName: 'Forrest', lastName: 'Gump' });
  t.like((await outcome('node-vcf-vcard-2.1.vcf'))[0], { firstName: 'Forrest', lastName: 'Gump' });
  t.deepEqual(
    (await outcome('node-vcf-multiple.vcf')).map((c) => phones(c)[0]),
    ['+49-221-9999123', '(0221) 9999123', '+49 221 9999123'],
  );
  t.like((await outcome('ical-js-vcard3.vcf'))[0], { firstName: 'John', lastName: 'Public', birthday: '1996-04-15' });
});

test('a UTF-8 BOM, names in Cyrillic, Japanese, Arabic and Greek, Apple year-less birthdays, --0229, PREF=1, a data: PHOTO', async (t) => {
  const result = (await outcome('project-apple-bom-scripts.vcf')) as ContactFields[];
  t.deepEqual(
    result.map((c) => [c.firstName, c.lastName, emails(c)[0] ?? null, c.birthday, c.notes]),
    [
      ['Анна', 'Karenina', 'anna@example.ru', '--05-17', null],
      ['太郎', '山田', 'taro@example.jp', '1990-05-17', '東京で会った\nSecond line, with a comma'],
      ['ليلى', '', 'layla@example.com', '--02-29', null],
      ['Αλέξης', 'Παπαδόπουλος', null, '1985-11-03', null],
    ],
  );
  t.deepEqual(emails(result[2]), ['layla@example.com', 'layla.work@example.com']);
  const photo = (await cards('project-apple-bom-scripts.vcf'))[3]!.photo!;
  t.truthy(photo.mediaType?.startsWith('image/'));
});

test('2.1 with ISO-8859-1 and UTF-8 quoted-printable; a card without a name, one in the future and one never ended are reported', async (t) => {
  const result = await outcome('project-2.1-charsets-and-problems.vcf');
  t.like(result[0], { firstName: 'Jürgen', lastName: 'Müller', birthday: '1979-12-31', notes: 'Straße 5, Berlin\nZweite Zeile; mit Semikolon' });
  t.deepEqual(emails(result[0]), ['juergen@example.de']);
  t.deepEqual(phones(result[0]), ['+49 30 1234567']);
  t.like(result[1], { firstName: 'Broken card' });
  t.deepEqual(result.slice(2), [
    { name: null, problem: 'the card has neither a name nor an organization' },
    { name: 'Bloomer Late', invalid: ['birthday'] },
    { name: null, problem: 'the card has no END:VCARD' },
  ]);
});

/** A vCard file made of ASCII text and the given raw bytes. */
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

test('CHARSET: Shift_JIS, ISO-8859-1, ISO-8859-2 and Windows-1251, as raw bytes and quoted-printable; unknown charsets fall back without failing', async (t) => {
  // 山田 太郎 in Shift_JIS; 表 (0x95 0x5C) has a backslash as its second byte.
  const sjis = bytes(
    'BEGIN:VCARD\r\nVERSION:3.0\r\nN;CHARSET=Shift_JIS:',
    [0x8e, 0x52, 0x93, 0x63],
    ';',
    [0x91, 0xbe, 0x98, 0x59],
    ';;;\r\nNOTE;CHARSET=SHIFT_JIS:',
    [0x95, 0x5c],
    '\r\nEND:VCARD\r\n',
  );
  // Łódź (ISO-8859-2), Иван Петров (Windows-1251, quoted-printable), Müller (ISO-8859-1, raw).
  const legacy = bytes(
    'BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:M',
    [0xfc],
    'ller;Anna\r\nADR;HOME;CHARSET=ISO-8859-2:;;ul. Piotrkowska 1;',
    [0xa3, 0xf3, 0x64, 0xbc],
    ';;;Polska\r\nEND:VCARD\r\n',
    'BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=WINDOWS-1251;ENCODING=QUOTED-PRINTABLE:=CF=E5=F2=F0=EE=E2;=C8=E2=E0=ED\r\nEND:VCARD\r\n',
    'BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=X-UNKNOWN-CHARSET;ENCODING=QUOTED-PRINTABLE:Ren=C3=A9e;Anna\r\nNOTE;CHARSET=X-UNKNOWN;ENCODING=QUOTED-PRINTABLE:Z=E9 =80\r\nEND:VCARD\r\n',
  );
  const [japanese] = await read(sjis);
  t.like(japanese!.fields, { lastName: '山田', firstName: '太郎', notes: '表' });
  const [polish, russian, unknown] = await read(legacy);
  t.like(polish!.fields, { lastName: 'Müller', firstName: 'Anna' });
  t.like((polish!.fields!.addresses as unknown[])[0], { label: 'home', street: 'ul. Piotrkowska 1', locality: 'Łódź', country: 'Polska' });
  t.like(russian!.fields, { lastName: 'Петров', firstName: 'Иван' });
  // The kept property holds the decoded text, without CHARSET or ENCODING.
  t.deepEqual(russian!.card!.properties[0], { group: null, name: 'N', params: [], value: 'Петров;Иван' });
  // An unknown label: UTF-8 where the bytes are, else Windows-1252.
  t.like(unknown!.fields, { lastName: 'Renée', firstName: 'Anna', notes: 'Zé €' });
});

test('bytes that are not UTF-8 and name no CHARSET are read as Windows-1252', async (t) => {
  const file = bytes('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ren', [0xe9], 'e ', [0x80], '\r\nEND:VCARD\r\n');
  t.is((await read(file))[0]!.name, 'Renée €');
});

test('text is unescaped leniently: \\" \\: \\, \\; \\\\ \\n \\N, and a backslash before any other character is that character', async (t) => {
  const [card] = await read(
    Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nN:O\\"Brien\\: x;Ann\\,Marie;;;\r\nNOTE:a\\nb\\Nc\\\\d\\;e\\,f\\"g\\:h\\qi\\\r\nEND:VCARD\r\n'),
  );
  t.like(card!.fields, { lastName: 'O"Brien: x', firstName: 'Ann,Marie', notes: 'a\nb\nc\\d;e,f"g:hqi\\' });
});

test('photos: 3.0 ENCODING=b, 2.1 ENCODING=BASE64 over folded lines, 4.0 data: URIs; a link stays a property', async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);
  const b64 = png.toString('base64');
  const file = [
    `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nPHOTO;ENCODING=b;TYPE=PNG:${b64}\r\nEND:VCARD\r\n`,
    `BEGIN:VCARD\r\nVERSION:2.1\r\nN:B\r\nPHOTO;ENCODING=BASE64;TYPE=PNG:\r\n ${b64.slice(0, 8)}\r\n ${b64.slice(8)}\r\n\r\nEND:VCARD\r\n`,
    `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:C\r\nPHOTO:data:image/png;base64,${b64}\r\nEND:VCARD\r\n`,
    'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:D\r\nPHOTO;MEDIATYPE=image/jpeg:http://example.com/d.jpg\r\nEND:VCARD\r\n',
  ].join('');
  const [a, b, c, d] = await read(Buffer.from(file));
  for (const card of [a, b, c]) {
    t.deepEqual(Buffer.from(card!.photo!.bytes), png);
    t.is(card!.photo!.mediaType, 'image/png');
    t.false(card!.card!.properties.some((p) => p.name === 'PHOTO'));
  }
  t.is(d!.photo ?? null, null);
  t.deepEqual(d!.card!.properties.at(-1), {
    group: null,
    name: 'PHOTO',
    params: [{ name: 'MEDIATYPE', values: ['image/jpeg'] }],
    value: 'http://example.com/d.jpg',
  });
  // Written inline: a data: URI in 4.0, ENCODING=b in 3.0; both read back as the same image.
  const contact = contactOf(a!);
  const v4 = format.write(contact, '4.0', { bytes: png, mediaType: 'image/png' });
  t.true(v4.replace(/\r\n /g, '').includes(`\r\nPHOTO:data:image/png;base64,${b64}\r\n`));
  const v3 = format.write(contact, '3.0', { bytes: png, mediaType: 'image/png' });
  t.true(v3.replace(/\r\n /g, '').includes(`\r\nPHOTO;ENCODING=b;TYPE=PNG:${b64}\r\n`));
  for (const text of [v4, v3]) t.deepEqual(Buffer.from((await read(Buffer.from(text)))[0]!.photo!.bytes), png);
  // A photo an import could not use goes back into the card as it was, and is written back until a photo replaces it.
  t.deepEqual(a!.photoProperty, {
    group: null,
    name: 'PHOTO',
    params: [
      { name: 'ENCODING', values: ['b'] },
      { name: 'TYPE', values: ['PNG'] },
    ],
    value: b64,
  });
  const unusable = { ...contact, card: { uid: null, properties: [...a!.card!.properties, a!.photoProperty!] } };
  t.deepEqual(Buffer.from((await read(Buffer.from(format.write(unusable, '4.0'))))[0]!.photo!.bytes), png);
  const replaced = format.write(unusable, '4.0', { bytes: Buffer.from('other'), mediaType: 'image/jpeg' });
  t.is(replaced.split('PHOTO').length - 1, 1);
  t.is(Buffer.from((await read(Buffer.from(replaced)))[0]!.photo!.bytes).toString(), 'other');
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
  // A BDAY that is no date is no birthday; the card keeps it.
  t.like(result[1]!.fields, { firstName: 'B', birthday: null });
  t.true(result[1]!.card!.properties.some((p) => p.name === 'BDAY'));
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
  // The field is cut to the model's length; the card keeps the whole note.
  t.is((card!.fields!.notes as string).length, 2000);
  t.is(card!.card!.properties.find((p) => p.name === 'NOTE')!.value.length, 1_000_000);
  const nested = 'BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Outer\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Inner\r\nEND:VCARD\r\nEND:VCARD\r\n';
  t.deepEqual(
    (await read(Buffer.from(nested))).map((c) => c.name),
    ['Outer'],
  );
});

test('a card of more parameter values or lines than a card may have is skipped with its reason, the next card still read; one at the bound is read', async (t) => {
  const next = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Next\r\nEND:VCARD\r\n';
  const card = (lines: string) => `BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Many\r\n${lines}END:VCARD\r\n`;
  // 40,000 parameters on one line (the shape of a hostile 2.1 card), then as many spread over lines, then one list of values.
  const manyOnOneLine = card(`TEL${';WORK'.repeat(20_000)}${';X-P=a'.repeat(20_000)}:1\r\n`);
  const manyOverLines = card('TEL;WORK;VOICE:1\r\n'.repeat(MAX_CARD_PARAM_VALUES / 2 + 1));
  const oneLongList = card(`EMAIL;TYPE=${'a,'.repeat(MAX_CARD_PARAM_VALUES)}b:x@example.com\r\n`);
  for (const body of [manyOnOneLine, manyOverLines, oneLongList]) {
    const read = await format.read(Buffer.from(body + next), 10);
    t.deepEqual(read[0], { name: null, fields: null, problem: `the card has more than ${MAX_CARD_PARAM_VALUES} parameter values` });
    t.is(read[1]!.name, 'Next');
  }
  const atBound = await format.read(Buffer.from(card('TEL;WORK;VOICE:1\r\n'.repeat(MAX_CARD_PARAM_VALUES / 2))), 10);
  t.is(atBound[0]!.name, 'Many');
  t.is(atBound[0]!.card!.properties.length, MAX_CARD_PARAM_VALUES / 2 + 1);

  const tooManyLines = await format.read(Buffer.from(card('NOTE:x\r\n'.repeat(MAX_CARD_LINES)) + next), 10);
  t.deepEqual(tooManyLines[0], { name: null, fields: null, problem: `the card has more than ${MAX_CARD_LINES} lines` });
  t.is(tooManyLines[1]!.name, 'Next');
  // VERSION and FN are two of the card's lines.
  const linesAtBound = await format.read(Buffer.from(card('NOTE:x\r\n'.repeat(MAX_CARD_LINES - 2))), 10);
  t.is(linesAtBound[0]!.card!.properties.length, MAX_CARD_LINES - 1);
});

test('a CATEGORIES of half a million labels is read (its distinct labels kept) and written back, not a stack overflow', async (t) => {
  const file = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Tagged\r\nCATEGORIES:${'a,'.repeat(500_000)}b;c\r\nEND:VCARD\r\n`;
  const [card] = await read(Buffer.from(file));
  t.deepEqual(card!.fields!.labels, ['a', 'b', 'c']);
  const written = format.write(contactOf(card!), '4.0');
  t.true(written.replaceAll('\r\n ', '').includes(`CATEGORIES:${'a,'.repeat(500_000)}b;c\r\n`));
});

// ---- Round trips: import, write, read again -------------------------------------------------

const FIXTURE_FILES = readdirSync(FIXTURES).filter((n) => n.endsWith('.vcf'));

/** The properties a writer adds to a card that lacked them: FN (required), and N in 3.0; a CATEGORIES for labels from group cards. */
function added(original: CardRead, version: string) {
  const names = new Set(original.card!.properties.map((p) => p.name));
  const before = new Set(original.card!.properties.map((p) => JSON.stringify(p)));
  return (p: CardProperty) =>
    (p.name === 'FN' && !names.has('FN')) ||
    (p.name === 'N' && !names.has('N') && version === '3.0') ||
    (p.name === 'CATEGORIES' && !before.has(JSON.stringify(p)));
}

for (const version of ['4.0', '3.0'] as const) {
  test(`every fixture round-trips through vCard ${version}: every property back with its group, parameters and value, the UID, the photo, the same fields`, async (t) => {
    let checked = 0;
    for (const name of FIXTURE_FILES) {
      for (const [index, card] of (await cards(name)).entries()) {
        if (!card.fields) continue;
        let contact: Contact;
        try {
          contact = contactOf(card);
        } catch {
          continue; // Refused by validation (a birthday in the future): never imported, never written.
        }
        const where = `${name} #${index}`;
        const text = format.write(contact, version, card.photo ?? null);
        const [back] = await read(Buffer.from(text));
        const isAdded = added(card, version);
        t.deepEqual(
          back!.card!.properties.filter((p) => !isAdded(p)),
          card.card!.properties,
          where,
        );
        t.is(back!.card!.uid, card.card!.uid ?? contact.id, where);
        t.deepEqual(back!.photo ? Buffer.from(back!.photo.bytes) : null, card.photo ? Buffer.from(card.photo.bytes) : null, where);
        t.deepEqual(validateContact(back!.fields!, TODAY), validateContact(card.fields!, TODAY), where);
        // What a strict reader makes of it: one card, the version asked for.
        const parsed = ICAL.parse(text) as unknown as ['vcard', [string, unknown, string, unknown][]];
        t.is(parsed[1].find(([n]) => n === 'version')![3], version, where);
        checked += 1;
      }
    }
    t.true(checked >= 40, `${checked} cards checked`);
  });
}

/** What changed between the properties of two readings of a card. */
function diff(before: CardProperty[], after: CardProperty[]) {
  const key = (p: CardProperty) => JSON.stringify(p);
  const a = before.map(key);
  const b = after.map(key);
  return { gone: a.filter((k) => !b.includes(k)).map((k) => JSON.parse(k)), added: b.filter((k) => !a.includes(k)).map((k) => JSON.parse(k)) };
}

test('editing one field rewrites only the property it maps to, in its place; the rest of the card is written as it was', async (t) => {
  const [, jane] = await cards('project-apple-groups-companies.vcf');
  const original = contactOf(jane!, { labels: ['Work', 'Friends'] });
  for (const version of ['4.0', '3.0'] as const) {
    // The first email changed (its custom-free label kept): only item1.EMAIL and its X-ABLabel change.
    const edited = { ...original, emails: [{ value: 'jane@new.example.com', label: 'work' }, original.emails[1]!] };
    const text = format.write(edited, version);
    const [back] = await read(Buffer.from(text));
    t.deepEqual(validateContact(back!.fields!, TODAY).emails, edited.emails);
    const { gone, added: fresh } = diff(jane!.card!.properties, back!.card!.properties);
    t.deepEqual(
      gone.map((p) => `${p.group}.${p.name}:${p.value}`),
      ['item1.EMAIL:jane@acme.example.com', 'item1.X-ABLABEL:_$!<Work>!$_'],
      version,
    );
    t.deepEqual(
      fresh.map((p) => [p.name, p.value]),
      [['EMAIL', 'jane@new.example.com']],
    );
    // In the place of the one it replaces, before the second email.
    const names = back!.card!.properties.map((p) => `${p.group ?? ''}.${p.name}`);
    t.true(names.indexOf('.EMAIL') < names.indexOf('item2.EMAIL'));
  }

  // A changed note, a removed phone, a new label, a new anniversary: each touches its own properties only.
  const edited = { ...original, notes: 'New note', phones: original.phones.slice(0, 1), labels: ['Work', 'Friends', 'Hiking'], anniversary: '2011-06-12' };
  const [back] = await read(Buffer.from(format.write(edited, '3.0')));
  const { gone, added: fresh } = diff(jane!.card!.properties, back!.card!.properties);
  t.deepEqual(gone.map((p) => `${p.group ?? ''}.${p.name}`).sort(), ['.NOTE', 'item3.TEL', 'item3.X-ABLABEL', 'item5.X-ABDATE', 'item5.X-ABLABEL'].sort());
  t.deepEqual(fresh.map((p) => `${p.name}:${p.value}`).sort(), ['CATEGORIES:Hiking', 'NOTE:New note', 'X-ANNIVERSARY:20110612'].sort());
  t.like(validateContact(back!.fields!, TODAY), { notes: 'New note', anniversary: '2011-06-12', labels: ['Work', 'Friends', 'Hiking'] });

  // A renamed contact: N and FN are written from the fields, nothing else changes.
  const renamed = { ...original, firstName: 'Janet' };
  const [again] = await read(Buffer.from(format.write(renamed, '4.0')));
  const changes = diff(jane!.card!.properties, again!.card!.properties);
  t.deepEqual(changes.gone.map((p) => p.name).sort(), ['FN', 'N']);
  t.deepEqual(changes.added.map((p) => `${p.name}:${p.value}`).sort(), ['FN:Dr. Janet Q. Appleseed PhD', 'N:Appleseed;Janet;Q.;Dr.;PhD']);
});

test('a list put in another order is written fresh, the first entry preferred, so that it reads back in the contact’s order', async (t) => {
  const [iphone] = await cards('ez-vcard-John_Doe_IPHONE.vcf');
  const original = contactOf(iphone!);
  const reversed = { ...original, phones: [...original.phones].reverse() };
  for (const version of ['4.0', '3.0'] as const) {
    const [back] = await read(Buffer.from(format.write(reversed, version)));
    t.deepEqual(validateContact(back!.fields!, TODAY).phones, reversed.phones, version);
  }
  // A new first email goes before the kept one and is marked preferred.
  const withNew = { ...original, emails: [{ value: 'first@example.com', label: 'home' }, ...original.emails] };
  for (const version of ['4.0', '3.0'] as const) {
    const [back] = await read(Buffer.from(format.write(withNew, version)));
    t.deepEqual(validateContact(back!.fields!, TODAY).emails, withNew.emails, version);
  }
});

test('a company card stays one: no given name written, KIND:org (4.0) or X-ABShowAs:COMPANY (3.0) when written fresh', async (t) => {
  const company: Contact = { ...contactOf({ name: 'Acme', fields: { organization: 'Acme', firstName: '' } }), card: null };
  for (const version of ['4.0', '3.0'] as const) {
    const text = format.write(company, version);
    t.true(text.includes(version === '4.0' ? '\r\nKIND:org\r\n' : '\r\nX-ABShowAs:COMPANY\r\n'));
    t.true(text.includes('\r\nFN:Acme\r\n'));
    const [back] = await read(Buffer.from(text));
    t.like(back!.fields, { firstName: '', organization: 'Acme' });
  }
  // The Apple company card keeps its mark while it has no first name; given one, the mark goes.
  const [acme] = await cards('project-apple-groups-companies.vcf');
  const person = { ...contactOf(acme!), firstName: 'Wile', lastName: 'Coyote' };
  const [back] = await read(Buffer.from(format.write(person, '3.0')));
  t.false(back!.card!.properties.some((p) => p.name === 'X-ABSHOWAS'));
  t.like(back!.fields, { firstName: 'Wile', lastName: 'Coyote', organization: 'Acme Widgets Ltd.' });
  // A 4.0 `KIND:org` card with a given name (a contact person) keeps its KIND while nothing changes.
  const [kindOrg] = await read(Buffer.from('BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\nFN:Ann at Acme\r\nN:;Ann;;;\r\nORG:Acme\r\nEND:VCARD\r\n'));
  t.like(kindOrg!.fields, { firstName: 'Ann', organization: 'Acme' });
  const [again] = await read(Buffer.from(format.write({ ...contactOf(kindOrg!), notes: 'x' }, '4.0')));
  t.true(again!.card!.properties.some((p) => p.name === 'KIND' && p.value === 'org'));
});

// ---- Contacts without a card: every field written fresh ------------------------------------

function contact(overrides: Partial<Contact> = {}): Contact {
  return {
    ...EMPTY_CONTACT_FIELDS,
    id: randomUUID(),
    userId: randomUUID(),
    version: 3,
    photo: null,
    card: null,
    firstName: 'Zoë',
    lastName: 'O’Brien-Łukasz',
    emails: [{ value: 'zoe@example.com', label: 'other' }],
    phones: [{ value: '+44 (20) 7946-0958', label: 'other' }],
    birthday: '1990-05-17',
    notes: `line one\nsemi; colon, comma \\ backslash 🎉 ${'é'.repeat(120)}`,
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:11:12.345Z',
    ...overrides,
  };
}

const RICH: Partial<Contact> = {
  middleName: 'Q',
  prefix: 'Dr.',
  suffix: 'Jr., PhD',
  nickname: 'Zo, Z',
  organization: 'Acme; Inc.',
  department: 'R&D',
  jobTitle: 'Chief, Things',
  emails: [
    { value: 'zoe@example.com', label: 'work' },
    { value: 'z@home.example', label: 'home' },
    { value: 'z@x.example', label: 'Side; project' },
  ],
  phones: [
    { value: '+1 555 0100;ext=12', label: 'mobile' },
    { value: '555-0101', label: 'fax' },
    { value: '555-0102 x7', label: 'Studio' },
    { value: '555-0103', label: 'main' },
    { value: '555-0104', label: 'pager' },
    { value: '555-0105', label: 'other' },
  ],
  addresses: [
    { label: 'home', poBox: 'PO 1', extended: 'Apt 2', street: '1 Main St, Rear', locality: 'Springfield', region: 'IL', postalCode: '62701', country: 'USA' },
    { label: 'Cabin', poBox: '', extended: '', street: '', locality: 'Lakeside', region: '', postalCode: '', country: '' },
  ],
  urls: [
    { value: 'https://example.com/a,b;c', label: 'work' },
    { value: 'http://blog.example.com', label: 'blog' },
  ],
  anniversary: '--06-12',
  labels: ['Family', 'Comma, label', 'Back\\slash'],
};

/** The properties of a card as a strict reader (ical.js on its own) finds them. */
function strictlyRead(text: string): Record<string, { params: Record<string, unknown>; type: string; value: unknown }> {
  const [name, props] = ICAL.parse(text) as unknown as [string, [string, Record<string, unknown>, string, unknown][]];
  if (name !== 'vcard') throw new Error(`not a vcard: ${name}`);
  return Object.fromEntries(props.map(([key, params, type, value]) => [key, { params, type, value }]));
}

/** ical.js decodes `\;` only in compound values (N, ADR); export escapes `;` in every text value (RFC 2426 requires it). */
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
    t.is(props.email!.value, 'zoe@example.com');
    t.is(props.tel!.value, '+44 (20) 7946-0958');
    t.is(props.bday!.value, '1990-05-17');
    t.is(icalText(props.note!.value), c.notes!);
    t.regex(text, /\r\nREV:20261130T101112Z\r\n/);
  });

  test(`every field, written fresh as vCard ${version}, reads back the same, custom labels through item groups and X-ABLabel`, async (t) => {
    const c = contact(RICH);
    const text = format.write(c, version);
    const [back] = await read(Buffer.from(text));
    const { id, userId, version: _v, photo, card, createdAt, updatedAt, ...fields } = c;
    t.deepEqual(validateContact(back!.fields!, TODAY), fields);
    t.regex(text, /\r\nitem\d+\.X-ABLabel:Side\\; project\r\n/);
    t.regex(text, /\r\nCATEGORIES:Family,Comma\\, label,Back\\\\slash\r\n/);
    t.is(strictlyRead(text).version!.value, version);
  });
}

test('a birthday without a year is --MMDD in vCard 4.0 and Apple’s X-APPLE-OMIT-YEAR in 3.0; absent fields are left out', async (t) => {
  const c = contact({ birthday: '--02-29', emails: [], phones: [], notes: null, lastName: '' });
  const v4 = format.write(c, '4.0');
  t.regex(v4, /\r\nBDAY;VALUE=DATE:--0229\r\n/);
  t.is(strictlyRead(v4).bday!.value, '--02-29');
  const v3 = format.write(c, '3.0');
  t.regex(v3, /\r\nBDAY;X-APPLE-OMIT-YEAR=1604;VALUE=DATE:16040229\r\n/);
  for (const text of [v4, v3]) {
    t.false(/\r\n(EMAIL|TEL|NOTE|ORG|TITLE|NICKNAME|ADR|URL|CATEGORIES|ANNIVERSARY)[;:]/.test(text));
    t.regex(text, /\r\nFN:Zoë\r\nN:;Zoë;;;\r\n/);
  }
});

test('every contact written, in either version, reads back as the same fields', async (t) => {
  const tricky = [
    contact(),
    contact({ firstName: 'A', lastName: '', emails: [], phones: [], birthday: null, notes: null }),
    contact({ firstName: 'Semi;colon, comma', lastName: 'Back\\slash', birthday: '--12-31', notes: 'a\\;b\n\nc,' }),
    contact({ firstName: '山田', lastName: '太郎', notes: '𠮷'.repeat(500), birthday: '2000-02-29' }),
    contact({
      firstName: 'x'.repeat(50),
      lastName: 'ليلى',
      emails: [{ value: 'UPPER@Example.COM', label: 'home' }],
      phones: [{ value: '12345', label: 'work' }],
    }),
  ];
  for (const version of ['4.0', '3.0'] as const) {
    const file = tricky.map((c) => format.write(c, version)).join('');
    const back = (await read(Buffer.from(file))).map((card) => validateContact(card.fields!, TODAY));
    const expected = tricky.map(({ id, userId, version: _v, photo, card, createdAt, updatedAt, ...fields }) => fields);
    t.deepEqual(back, expected, version);
  }
});

test('a kept property holding a raw line break (not one the reader made) is written as one line', async (t) => {
  const c = contact({ card: { uid: 'u1', properties: [{ group: null, name: 'X-NOTE', params: [], value: 'a\r\nEMAIL:evil@example.com\rb' }] } });
  const text = format.write(c, '4.0');
  const [back] = await read(Buffer.from(text));
  t.deepEqual(
    back!.card!.properties.filter((p) => p.name === 'X-NOTE'),
    [{ group: null, name: 'X-NOTE', params: [], value: 'a\\nEMAIL:evil@example.com\\nb' }],
  );
  t.deepEqual(back!.fields!.emails, [{ value: 'zoe@example.com', label: 'other' }]);
});

test('read a card at a time, the group cards at the end of a file still label their members of the first batches', async (t) => {
  const format = new IcalContactCardFormat();
  const batches: CardRead[][] = [];
  for await (const batch of format.readBatches(fixture('project-apple-groups-companies.vcf'), 100, 1)) batches.push(batch);
  t.deepEqual(
    batches.map((b) => b.length),
    [1, 1, 1, 1],
  );
  t.deepEqual(batches.flat(), await cards('project-apple-groups-companies.vcf'));
  t.deepEqual((batches[1]![0]!.fields!.labels as string[]).slice(-2), ['Book Club', 'Climbing']);
});

test('readBatches throws a file’s errors before its first batch', async (t) => {
  const format = new IcalContactCardFormat();
  const first = (file: string) => format.readBatches(Buffer.from(file), 1, 1)[Symbol.asyncIterator]().next();
  await t.throwsAsync(first('no cards here'), { instanceOf: NotAVCardFile });
  await t.throwsAsync(first('BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:B\r\nEND:VCARD\r\n'), { instanceOf: TooManyCards });
});
