import test from 'ava';
import { contactQueryParams, integerParam } from '../../../src/adapters/http/query-params.js';
import { validateBirthdayWindow, validateContactQuery, validateFieldSelection } from '../../../src/domain/contact.js';
import { ValidationFailed } from '../../../src/domain/errors.js';

const fieldsOf = (run: () => unknown): string[] => {
  try {
    run();
    return [];
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    return error.errors.map((e) => e.field).sort();
  }
};

test('a query-string integer is read only from digits; absent or empty is absent, anything else is NaN', (t) => {
  t.is(integerParam(undefined), undefined);
  t.is(integerParam(''), undefined);
  t.is(integerParam('40'), 40);
  t.is(integerParam(' 7 '), 7);
  for (const value of ['ten', '1.5', '-1', '1e2', '0x10', '99999999999999999', ['1', '2']]) t.true(Number.isNaN(integerParam(value)), String(value));
});

test('list parameters from the query string: whole numbers in range, each text given once', (t) => {
  t.deepEqual(validateContactQuery(contactQueryParams({ limit: '100', offset: '40', q: ' ann ', firstName: '', email: 'x' })), {
    sort: 'created',
    limit: 100,
    offset: 40,
    q: 'ann',
    email: 'x',
  });
  t.deepEqual(validateContactQuery(contactQueryParams({ q: 'zoë', label: 'Family', sort: 'relevance' })), {
    sort: 'relevance',
    limit: 20,
    offset: 0,
    q: 'zoë',
    label: 'Family',
  });
  for (const limit of ['0', '101', 'ten', '1.5', '-1', '1e2', ['1', '2']]) {
    t.deepEqual(
      fieldsOf(() => validateContactQuery(contactQueryParams({ limit }))),
      ['limit'],
      String(limit),
    );
  }
  for (const offset of ['-1', 'x', '99999999999999999999']) {
    t.deepEqual(
      fieldsOf(() => validateContactQuery(contactQueryParams({ offset }))),
      ['offset'],
      offset,
    );
  }
  t.deepEqual(
    fieldsOf(() => validateContactQuery(contactQueryParams({ q: ['a', 'b'], lastName: 'x'.repeat(101) }))),
    ['lastName', 'q'],
  );
  t.deepEqual(
    fieldsOf(() => validateContactQuery(contactQueryParams({ sort: 'age', label: ['a', 'b'] }))),
    ['label', 'sort'],
  );
  t.deepEqual(
    fieldsOf(() => validateContactQuery(contactQueryParams({ sort: 'relevance' }))),
    ['sort'],
  );
});

test("fields= from the query string: a comma list of the representation's top-level fields, given once", (t) => {
  t.deepEqual(validateFieldSelection(contactQueryParams({ fields: 'firstName, labels,firstName' }).fields), ['firstName', 'labels']);
  t.is(validateFieldSelection(contactQueryParams({}).fields), undefined);
  for (const fields of ['firstName,age', 'userId', 'card', ['id', 'firstName']]) {
    t.deepEqual(
      fieldsOf(() => validateFieldSelection(contactQueryParams({ fields }).fields)),
      ['fields'],
      String(fields),
    );
  }
});

test('the birthday window from the query string', (t) => {
  t.is(validateBirthdayWindow({ days: integerParam('0') }), 0);
  for (const days of ['367', '-1', 'week', '7.5', ['1', '2']]) {
    t.deepEqual(
      fieldsOf(() => validateBirthdayWindow({ days: integerParam(days) })),
      ['days'],
      String(days),
    );
  }
});
