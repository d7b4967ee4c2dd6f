import test from 'ava';
import { validateBirthdayWindow, validateContact, validateContactPatch, validateContactQuery } from '../../src/domain/contact.js';
import { ValidationFailed } from '../../src/domain/errors.js';

const TODAY = '2026-06-15';
const valid = {
  firstName: 'Ann',
  lastName: 'Lee',
  email: 'ann@example.com',
  phone: '+1 (555) 123-4567',
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

test('a valid contact is trimmed, notes default to null and other keys are dropped', (t) => {
  const fields = validateContact({ ...valid, firstName: '  Ann ', id: 'x', userId: 'y', ownerId: 'z', createdAt: 'now' }, TODAY);
  t.deepEqual(fields, { ...valid, notes: null });
});

test('every invalid field is named at once', (t) => {
  t.deepEqual(
    fieldsOf(() => validateContact({}, TODAY)),
    ['firstName'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ firstName: 1, lastName: 7, email: 'no', phone: 'call me', birthday: 19900401, notes: 5 }, TODAY)),
    ['birthday', 'email', 'firstName', 'lastName', 'notes', 'phone'],
  );
});

test('names are 1 to 50 characters, counted as characters, not bytes', (t) => {
  t.notThrows(() => validateContact({ ...valid, firstName: '😀'.repeat(50), lastName: 'x'.repeat(50) }, TODAY));
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, firstName: '😀'.repeat(51), lastName: 'x'.repeat(51) }, TODAY)),
    ['firstName', 'lastName'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, firstName: ' ' }, TODAY)),
    ['firstName'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, lastName: 'Lee\u0000' }, TODAY)),
    ['lastName'],
  );
});

test('a phone is 5 to 30 digits, spaces and + - ( ), with at least one digit', (t) => {
  for (const phone of ['12345', '+44 20 7946 0958', '(555) 123-4567', '1'.repeat(30)]) {
    t.notThrows(() => validateContact({ ...valid, phone }, TODAY), phone);
  }
  for (const phone of ['1234', '1'.repeat(31), '555-CALL-NOW', '555.123.4567', '-----', '12 3\t45']) {
    t.deepEqual(
      fieldsOf(() => validateContact({ ...valid, phone }, TODAY)),
      ['phone'],
      phone,
    );
  }
});

test('a birthday is a real YYYY-MM-DD date, not in the future', (t) => {
  for (const birthday of ['2024-02-29', TODAY, '1900-01-01', '1999-12-31']) {
    t.notThrows(() => validateContact({ ...valid, birthday }, TODAY), birthday);
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
    '0000-01-01',
  ]) {
    t.deepEqual(
      fieldsOf(() => validateContact({ ...valid, birthday }, TODAY)),
      ['birthday'],
      birthday,
    );
  }
});

test('only the first name is required: absent, null or blank optional fields are null, an absent last name ""', (t) => {
  const expected = { firstName: 'Ann', lastName: '', email: null, phone: null, birthday: null, notes: null };
  t.deepEqual(validateContact({ firstName: 'Ann' }, TODAY), expected);
  t.deepEqual(validateContact({ firstName: 'Ann', lastName: null, email: null, phone: null, birthday: null, notes: null }, TODAY), expected);
  t.deepEqual(validateContact({ firstName: 'Ann', lastName: ' ', email: '', phone: '  ', birthday: '', notes: '' }, TODAY), expected);
});

test('a birthday without a year is a real day written --MM-DD, 29 February included', (t) => {
  for (const birthday of ['--02-29', '--01-01', '--12-31', '--06-16']) {
    t.is(validateContact({ ...valid, birthday }, TODAY).birthday, birthday);
  }
  for (const birthday of ['--02-30', '--13-01', '--00-10', '--04-31', '--4-1', '--0417', '---04-17', '--04-17x']) {
    t.deepEqual(
      fieldsOf(() => validateContact({ ...valid, birthday }, TODAY)),
      ['birthday'],
      birthday,
    );
  }
});

test('notes are optional text; blank notes are null; line breaks are kept', (t) => {
  t.is(validateContact({ ...valid, notes: '  ' }, TODAY).notes, null);
  t.is(validateContact({ ...valid, notes: 'met at\nthe fair\t!' }, TODAY).notes, 'met at\nthe fair\t!');
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, notes: 'x'.repeat(2001) }, TODAY)),
    ['notes'],
  );
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, notes: 'bell\u0007' }, TODAY)),
    ['notes'],
  );
});

test('a patch validates only the fields it carries; null clears notes but not a required field', (t) => {
  t.deepEqual(validateContactPatch({ lastName: ' Park ', id: 'ignored' }, TODAY), { lastName: 'Park' });
  t.deepEqual(validateContactPatch({}, TODAY), {});
  t.deepEqual(validateContactPatch({ notes: null }, TODAY), { notes: null });
  t.deepEqual(
    fieldsOf(() => validateContactPatch({ firstName: null, birthday: '2030-01-01' }, TODAY)),
    ['birthday', 'firstName'],
  );
  t.deepEqual(validateContactPatch({ lastName: null, email: null, phone: null, birthday: null }, TODAY), {
    lastName: '',
    email: null,
    phone: null,
    birthday: null,
  });
});

test('list parameters default to limit 20, offset 0 and refuse anything but whole numbers in range', (t) => {
  t.deepEqual(validateContactQuery({}), { limit: 20, offset: 0 });
  t.deepEqual(validateContactQuery({ limit: 100, offset: 40, q: ' ann ', firstName: '', email: 'x' }), { limit: 100, offset: 40, q: 'ann', email: 'x' });
  t.deepEqual(validateContactQuery({ limit: 1 }), { limit: 1, offset: 0 });
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
    fieldsOf(() => validateContactQuery({ q: ['a', 'b'], lastName: 'x'.repeat(101) })),
    ['lastName', 'q'],
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
