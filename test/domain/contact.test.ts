import test from 'ava';
import {
  applyContactPatch,
  emailKeysOf,
  fullNameKey,
  INDEPENDENT_FIELDS,
  nameKeysOf,
  nameSortKey,
  onlyIndependentFields,
  CONTACT_VIEW_FIELDS,
  EMPTY_CONTACT_FIELDS,
  LABELS_MAX,
  LIST_MAX,
  NAME_MAX,
  pickFields,
  searchPatterns,
  searchTextOf,
  toContactView,
  validateBirthdayWindow,
  validateContact,
  validateContactPatch,
  validateContactQuery,
  validateFieldSelection,
  type Contact,
} from '../../src/domain/contact.js';
import { ValidationFailed } from '../../src/domain/errors.js';

const TODAY = '2026-06-15';
const valid = {
  firstName: 'Ann',
  lastName: 'Lee',
  email: 'ann@example.com',
  phone: '+1 (555) 123-4567',
  birthday: '1990-04-01',
};
const annFields = {
  ...EMPTY_CONTACT_FIELDS,
  firstName: 'Ann',
  lastName: 'Lee',
  emails: [{ value: 'ann@example.com', label: 'other' }],
  phones: [{ value: '+1 (555) 123-4567', label: 'other' }],
  birthday: '1990-04-01',
};

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationFailed) return error.errors.map((e) => e.field).sort();
    throw error;
  }
  return [];
}

test('a valid contact is trimmed, email and phone become the first entries labelled other, other keys are dropped', (t) => {
  const fields = validateContact(
    { ...valid, firstName: '  Ann ', id: 'x', userId: 'y', ownerId: 'z', createdAt: 'now', photoUrl: 'https://x.example/' },
    TODAY,
  );
  t.deepEqual(fields, annFields);
});

test('every invalid field is named at once, the missing name included', (t) => {
  t.deepEqual(
    fieldsOf(() => validateContact({}, TODAY)),
    ['firstName'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ firstName: 1, lastName: 7, email: 'no', phone: 'call me', birthday: 19900401, notes: 5 }, TODAY)),
    ['birthday', 'email', 'firstName', 'lastName', 'notes', 'phone'],
  );
  // No name at all and another bad field: both are named in the one answer.
  t.deepEqual(
    fieldsOf(() => validateContact({ lastName: 'Lee', phone: '12' }, TODAY)),
    ['firstName', 'phone'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ organization: 'Acme', phone: '12' }, TODAY)),
    ['phone'],
  );
});

test('a company card has an organization and may leave the first name empty', (t) => {
  t.like(validateContact({ organization: 'Acme Corp', firstName: '' }, TODAY), { firstName: '', organization: 'Acme Corp' });
  t.like(validateContact({ organization: 'Acme Corp' }, TODAY), { firstName: '', organization: 'Acme Corp' });
  t.deepEqual(
    fieldsOf(() => validateContact({ organization: '  ', firstName: '' }, TODAY)),
    ['firstName'],
  );
});

test('names are 0 to 50 characters, counted as characters, not bytes; no control characters', (t) => {
  t.notThrows(() => validateContact({ ...valid, firstName: '😀'.repeat(NAME_MAX), lastName: 'x'.repeat(NAME_MAX), nickname: 'n'.repeat(NAME_MAX) }, TODAY));
  t.deepEqual(
    fieldsOf(() =>
      validateContact({ ...valid, firstName: '😀'.repeat(51), lastName: 'x'.repeat(51), middleName: 'm'.repeat(51), prefix: 'p'.repeat(51) }, TODAY),
    ),
    ['firstName', 'lastName', 'middleName', 'prefix'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, firstName: ' ' }, TODAY)),
    ['firstName'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, lastName: 'Lee\u0000', suffix: 'a\u001bb' }, TODAY)),
    ['lastName', 'suffix'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, organization: 'o'.repeat(101), jobTitle: 'j'.repeat(101), department: 'd'.repeat(100) }, TODAY)),
    ['jobTitle', 'organization'],
  );
});

test('a phone is 5 to 40 characters as people write numbers, an extension included', (t) => {
  for (const phone of [
    '12345',
    '+44 20 7946 0958',
    '(555) 123-4567',
    '555.123.4567',
    '+1 555 0100 ext. 12',
    '555 0100 x123',
    '5550100;ext=9',
    '1'.repeat(40),
  ]) {
    t.notThrows(() => validateContact({ ...valid, phone }, TODAY), phone);
  }
  for (const phone of ['12', '1234', '1'.repeat(41), '555-CALL-NOW', '-----', '12 3\u000045', '555 0100 ext. ']) {
    t.deepEqual(
      fieldsOf(() => validateContact({ ...valid, phone }, TODAY)),
      ['phone'],
      phone,
    );
  }
});

test('lists hold at most 20 entries and 50 labels; each entry is checked and named by its index', (t) => {
  const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `e${i}@example.com` }));
  t.is(validateContact({ firstName: 'A', emails: emails(LIST_MAX) }, TODAY).emails.length, LIST_MAX);
  t.deepEqual(
    fieldsOf(() => validateContact({ firstName: 'A', emails: emails(LIST_MAX + 1) }, TODAY)),
    ['emails'],
  );
  const labels = (n: number) => Array.from({ length: n }, (_, i) => `L${i}`);
  t.is(validateContact({ firstName: 'A', labels: labels(LABELS_MAX) }, TODAY).labels.length, LABELS_MAX);
  t.deepEqual(
    fieldsOf(() => validateContact({ firstName: 'A', labels: labels(LABELS_MAX + 1) }, TODAY)),
    ['labels'],
  );
  t.deepEqual(
    fieldsOf(() =>
      validateContact(
        {
          firstName: 'A',
          emails: [{ value: 'ok@example.com' }, { value: 'nope' }],
          phones: [{ value: '12', label: 'mobile' }],
          urls: [{ value: 'javascript:alert(1)' }, { value: 'ftp://x.example/' }, { value: 'https://ok.example/' }],
          addresses: [{ label: 'home' }, { street: 's'.repeat(101) }],
          labels: ['', 'x'.repeat(51)],
        },
        TODAY,
      ),
    ),
    ['addresses[0]', 'addresses[1].street', 'emails[1].value', 'labels[0]', 'labels[1]', 'phones[0].value', 'urls[0].value', 'urls[1].value'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ firstName: 'A', emails: 'a@example.com', labels: 'Family', urls: [7] }, TODAY)),
    ['emails', 'labels', 'urls[0]'],
  );
});

test('labels are unique compared case-insensitively, the first spelling kept; entry labels default to other, known ones lower-cased', (t) => {
  const fields = validateContact(
    {
      firstName: 'A',
      labels: ['Family', 'FAMILY', ' family ', 'Work'],
      emails: [
        { value: 'a@example.com', label: 'WORK' },
        { value: 'b@example.com', label: 'Old Job' },
        { value: 'c@example.com', label: null },
      ],
      phones: [{ value: '12345', label: 'Mobile' }],
    },
    TODAY,
  );
  t.deepEqual(fields.labels, ['Family', 'Work']);
  t.deepEqual(
    fields.emails.map((e) => e.label),
    ['work', 'Old Job', 'other'],
  );
  t.deepEqual(fields.phones, [{ value: '12345', label: 'mobile' }]);
});

test('a birthday or anniversary is a real YYYY-MM-DD date, not in the future, or a real day without a year', (t) => {
  for (const birthday of ['2024-02-29', TODAY, '1900-01-01', '1999-12-31', '--02-29', '--12-31']) {
    t.notThrows(() => validateContact({ ...valid, birthday, anniversary: birthday }, TODAY), birthday);
  }
  for (const birthday of [
    '2023-02-29',
    '1990-13-01',
    '1990-04-31',
    '1990-4-1',
    '01/04/1990',
    '1990-04-01T00:00:00Z',
    '2026-06-16',
    '1899-12-31',
    '--02-30',
    '--13-01',
  ]) {
    t.deepEqual(
      fieldsOf(() => validateContact({ ...valid, birthday, anniversary: birthday }, TODAY)),
      ['anniversary', 'birthday'],
      birthday,
    );
  }
});

test('notes are optional text up to 2000 characters; blank notes are null; line breaks and tabs are kept, other controls refused', (t) => {
  t.is(validateContact({ ...valid, notes: '  ' }, TODAY).notes, null);
  t.is(validateContact({ ...valid, notes: 'met at\nthe fair\t!' }, TODAY).notes, 'met at\nthe fair\t!');
  for (const notes of ['x'.repeat(2001), 'bell\u0007', 'nul\u0000', 'x'.repeat(5_000_000)]) {
    t.deepEqual(
      fieldsOf(() => validateContact({ ...valid, notes }, TODAY)),
      ['notes'],
    );
  }
});

test('a patch validates only what it carries; email/phone act on the first entries of the stored lists', (t) => {
  t.deepEqual(validateContactPatch({ lastName: ' Park ', id: 'ignored' }, TODAY), { fields: { lastName: 'Park' }, first: {} });
  t.deepEqual(validateContactPatch({}, TODAY), { fields: {}, first: {} });
  const current = {
    ...annFields,
    emails: [
      { value: 'ann@work.example', label: 'work' },
      { value: 'ann@home.example', label: 'home' },
    ],
  };
  const replaced = applyContactPatch(current, validateContactPatch({ email: 'ann@new.example' }, TODAY));
  t.deepEqual(replaced.emails, [
    { value: 'ann@new.example', label: 'work' },
    { value: 'ann@home.example', label: 'home' },
  ]);
  t.deepEqual(applyContactPatch(current, validateContactPatch({ email: null }, TODAY)).emails, [{ value: 'ann@home.example', label: 'home' }]);
  t.deepEqual(applyContactPatch({ ...current, phones: [] }, validateContactPatch({ phone: '12345' }, TODAY)).phones, [{ value: '12345', label: 'other' }]);
  // When the list is given, it wins, and email must agree with its first entry.
  t.deepEqual(applyContactPatch(current, validateContactPatch({ email: 'X@example.com', emails: [{ value: 'x@example.com' }] }, TODAY)).emails, [
    { value: 'x@example.com', label: 'other' },
  ]);
  t.deepEqual(
    fieldsOf(() => validateContactPatch({ email: 'a@example.com', emails: [{ value: 'b@example.com' }] }, TODAY)),
    ['email'],
  );
  t.deepEqual(
    fieldsOf(() => validateContactPatch({ phone: null, phones: [{ value: '12345' }] }, TODAY)),
    ['phone'],
  );
  t.notThrows(() => validateContactPatch({ email: null, emails: [] }, TODAY));
  t.deepEqual(
    fieldsOf(() => applyContactPatch(current, validateContactPatch({ firstName: null }, TODAY))),
    ['firstName'],
  );
  t.like(applyContactPatch({ ...current, organization: 'Acme' }, validateContactPatch({ firstName: null }, TODAY)), { firstName: '' });
});

test('the view shows every field, email and phone as the first entries, the photo URL and the etag; fields= picks', (t) => {
  const contact: Contact = {
    ...annFields,
    id: 'c1',
    userId: 'u1',
    version: 3,
    photo: { url: 'https://media.example/p.webp', key: 'k' },
    card: { uid: 'x', properties: [] },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
  };
  const view = toContactView(contact);
  t.deepEqual(Object.keys(view), [...CONTACT_VIEW_FIELDS]);
  t.like(view, { email: 'ann@example.com', phone: '+1 (555) 123-4567', photoUrl: 'https://media.example/p.webp', etag: '"3"' });
  t.deepEqual(pickFields(view, validateFieldSelection('lastName,etag')), { id: 'c1', lastName: 'Lee', etag: '"3"' });
  t.deepEqual(
    fieldsOf(() => validateFieldSelection('lastName,card')),
    ['fields'],
  );
  // Empty is no selection; a list of only commas names nothing either.
  t.is(validateFieldSelection(''), undefined);
  t.is(validateFieldSelection(' '), undefined);
  t.deepEqual(pickFields(view, validateFieldSelection(',')), { id: 'c1' });
});

test('search text folds case and accents and holds phones by their digits; q written like a phone also searches digits', (t) => {
  const text = searchTextOf({ ...annFields, firstName: 'Zoë', organization: 'ÉCOLE', labels: ['Family'] });
  t.true(text.includes('zoe'));
  t.true(text.includes('ecole'));
  t.true(text.includes('family'));
  t.true(text.includes('15551234567'));
  t.deepEqual(searchPatterns('+1 (555)'), { text: '+1 (555)', digits: '1555' });
  t.deepEqual(searchPatterns('Zoë'), { text: 'zoe', digits: null });
  t.deepEqual(searchPatterns('12'), { text: '12', digits: null });
});

test('list parameters default to sort created, limit 20, offset 0 and refuse anything but whole numbers in range', (t) => {
  t.deepEqual(validateContactQuery({}), { sort: 'created', limit: 20, offset: 0 });
  t.deepEqual(validateContactQuery({ sort: '' }), { sort: 'created', limit: 20, offset: 0 });
  t.deepEqual(validateContactQuery({ limit: 100, offset: 40, q: ' ann ', firstName: '', email: 'x', label: 'Family', sort: 'name' }), {
    sort: 'name',
    limit: 100,
    offset: 40,
    q: 'ann',
    email: 'x',
    label: 'Family',
  });
  // NaN is what the HTTP adapter reads from a parameter that is not a whole number.
  for (const limit of [0, 101, Number.NaN, 1.5, -1]) {
    t.deepEqual(
      fieldsOf(() => validateContactQuery({ limit })),
      ['limit'],
      String(limit),
    );
  }
  for (const offset of [-1, Number.NaN, 2 ** 60]) {
    t.deepEqual(
      fieldsOf(() => validateContactQuery({ offset })),
      ['offset'],
      String(offset),
    );
  }
  t.deepEqual(
    fieldsOf(() => validateContactQuery({ q: ['a', 'b'], lastName: 'x'.repeat(101), label: 'a\u0000' })),
    ['label', 'lastName', 'q'],
  );
  t.deepEqual(
    fieldsOf(() => validateContactQuery({ sort: 'relevance' })),
    ['sort'],
  );
  t.deepEqual(
    fieldsOf(() => validateContactQuery({ sort: 'age' })),
    ['sort'],
  );
});

test('the birthday window is 0 to 366 days, 7 by default', (t) => {
  t.is(validateBirthdayWindow({}), 7);
  t.is(validateBirthdayWindow({ days: 0 }), 0);
  t.is(validateBirthdayWindow({ days: 366 }), 366);
  for (const days of [367, -1, Number.NaN, 7.5]) {
    t.deepEqual(
      fieldsOf(() => validateBirthdayWindow({ days })),
      ['days'],
      String(days),
    );
  }
});

test('a change of INDEPENDENT_FIELDS alone moves nothing the book derives from a contact (search text, keys, sort key, the name rule)', (t) => {
  const base = validateContact(
    { firstName: 'Zoë', lastName: 'Ünal', organization: 'ACME', emails: [{ value: 'z@example.com' }], phones: [{ value: '+1 555 0100' }], labels: ['Family'] },
    '2026-12-06',
  );
  const changed = {
    ...base,
    department: 'Research',
    jobTitle: 'Chief',
    addresses: [{ label: 'home', poBox: '', extended: '', street: 'Main 1', locality: 'Town', region: '', postalCode: '123', country: 'Wonderland' }],
    urls: [{ value: 'https://zoe.example', label: 'home' }],
    birthday: '1990-01-02',
    anniversary: '--06-07',
    notes: 'Zoë notes ACME 5550100',
  };
  t.deepEqual(
    Object.keys(changed)
      .filter((k) => JSON.stringify(changed[k as keyof typeof changed]) !== JSON.stringify(base[k as keyof typeof base]))
      .sort(),
    [...INDEPENDENT_FIELDS].sort(),
  );
  const derived = (fields: typeof base) => [searchTextOf(fields), emailKeysOf(fields), nameKeysOf(fields), nameSortKey(fields), fullNameKey(fields)];
  t.deepEqual(derived(changed), derived(base));
  t.true(onlyIndependentFields({ notes: null }));
  t.false(onlyIndependentFields({}));
  t.false(onlyIndependentFields({ notes: 'x', firstName: 'A' }));
});
