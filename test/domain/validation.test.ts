import test from 'ava';
import { validateContact, validateContactQuery } from '../../src/domain/contact.js';
import { FieldErrors, ValidationFailed } from '../../src/domain/errors.js';
import { looksLikeOneTimeToken, newOneTimeToken } from '../../src/domain/one-time-token.js';
import { validateSignup } from '../../src/domain/user.js';
import { checkEmail, hasControlCharacters, isEmailAddress } from '../../src/domain/validation.js';

function emailErrors(value: unknown): string[] {
  const errors = new FieldErrors();
  checkEmail(errors, 'email', value);
  try {
    errors.throwIfAny();
    return [];
  } catch (error) {
    return (error as ValidationFailed).errors.map((e) => `${e.field}: ${e.message}`);
  }
}

const ACCEPTED = [
  'ann@example.com',
  'Ann.Lee+tag@Example.CO.uk',
  "o'brien@example.ie",
  'x_y-z%1!#$&*/=?^`{|}~@sub-domain.example.com',
  'zoë@exämple.de',
  '用户@例子.广告',
  `${'a'.repeat(64)}@example.com`,
  `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(60)}`, // 254 characters
];

const REFUSED = [
  'x<victim@example.test>',
  'Victim <victim@example.test>',
  '"quoted"@example.com',
  'ann(comment)@example.com',
  'ann@example.com (comment)',
  'a@b@example.com',
  'ann@example.com,victim@example.test',
  'ann@example.com;victim@example.test',
  'ann:victim@example.test',
  'group: victim@example.test;',
  'ann @example.com',
  'ann@example',
  'ann@.example.com',
  'ann@example..com',
  'ann@-example.com',
  'ann@example-.com',
  '.ann@example.com',
  'ann.@example.com',
  'a..b@example.com',
  'ann@[127.0.0.1]',
  'ann\\@example.com',
  `${'a'.repeat(65)}@example.com`,
  `a@${'b'.repeat(64)}.com`,
  `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(61)}`, // 255 characters
  'ann@example.com\u0000',
  'an\u0000n@example.com',
  'ann@exam\u0085ple.com',
  '@example.com',
  'ann@',
];

test('a plain addr-spec of at most 254 characters is an email address', (t) => {
  for (const email of ACCEPTED) t.true(isEmailAddress(email), email);
  t.is(ACCEPTED.at(-1)!.length, 254);
});

test('display names, comments, quotes, several addresses, separators and controls are refused', (t) => {
  for (const email of REFUSED) t.false(isEmailAddress(email), JSON.stringify(email));
  for (const email of REFUSED) t.is(emailErrors(email).length, 1, JSON.stringify(email));
});

test('checkEmail trims, names the field, and says so when the trouble is a control character', (t) => {
  const errors = new FieldErrors();
  t.is(checkEmail(errors, 'email', '  ann@example.com\n'), 'ann@example.com');
  t.deepEqual(emailErrors('ann\u0000@example.com'), ['email: must not contain control characters']);
  t.deepEqual(emailErrors('x<victim@example.test>'), ['email: must be a valid email address']);
  t.deepEqual(emailErrors(42), ['email: must be a string']);
});

test('a megabyte of "email" is refused quickly, by its length', (t) => {
  const huge = `${'a'.repeat(1024 * 1024)}@example.com`;
  const started = performance.now();
  t.deepEqual(emailErrors(huge), ['email: must be a valid email address']);
  t.deepEqual(emailErrors(`${'a.'.repeat(512 * 1024)}@example.com`), ['email: must be a valid email address']);
  t.true(performance.now() - started < 1000);
});

test('control characters: C0, DEL and C1 always; tabs and line breaks only where text may span lines', (t) => {
  for (const c of ['\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u009f', '\t', '\n', '\r']) {
    t.true(hasControlCharacters(`a${c}b`), JSON.stringify(c));
  }
  for (const c of ['\t', '\n', '\r']) t.false(hasControlCharacters(`a${c}b`, { allowLineBreaks: true }), JSON.stringify(c));
  for (const c of ['\u0000', '\u000b', '\u000c', '\u007f', '\u0085']) t.true(hasControlCharacters(`a${c}b`, { allowLineBreaks: true }), JSON.stringify(c));
  t.false(hasControlCharacters('Zoë Łukasz 用户 🙂'));
});

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationFailed) return error.errors.map((e) => `${e.field}: ${e.message}`).sort();
    throw error;
  }
  return [];
}

test('signup fields with a NUL are refused, naming each field; a password may hold any character', (t) => {
  t.deepEqual(
    fieldsOf(() => validateSignup({ username: 'A\u0000n', email: 'a\u0000@example.com', password: 'pass\u0000word long enough' })),
    ['email: must not contain control characters', 'username: must not contain control characters'],
  );
  // Passwords are hashed, never stored or queried as text; API.md allows any characters in them.
  t.deepEqual(
    fieldsOf(() => validateSignup({ username: 'Ann', email: 'ann@example.com', password: 'pass\u0000word\u0007 long enough' })),
    [],
  );
});

test('contact fields and search parameters with control characters are refused, naming the field; notes keep line breaks', (t) => {
  const valid = { firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', phone: '+1 555 1234', birthday: '1990-04-01' };
  t.deepEqual(
    fieldsOf(() => validateContact({ ...valid, firstName: 'A\u0000', lastName: 'L\u001b', phone: '555\u00001234', notes: 'a\u0000' }, '2026-06-15')),
    [
      'firstName: must not contain control characters',
      'lastName: must not contain control characters',
      'notes: must not contain control characters other than line breaks and tabs',
      'phone: must be 5 to 40 characters of digits, spaces, + - ( ) . / and an extension such as x123',
    ],
  );
  t.is(validateContact({ ...valid, notes: 'line one\r\nline two\ttabbed' }, '2026-06-15').notes, 'line one\r\nline two\ttabbed');
  t.deepEqual(
    fieldsOf(() => validateContactQuery({ q: 'a\u0000', firstName: '\u0000', lastName: 'x\u007f', email: 'a\u0085' })),
    [
      'email: must not contain control characters',
      'firstName: must not contain control characters',
      'lastName: must not contain control characters',
      'q: must not contain control characters',
    ],
  );
  t.deepEqual(
    fieldsOf(() => validateContactQuery({ q: 'x'.repeat(1024 * 1024) })),
    ['q: must be at most 100 characters'],
  );
});

test('a one-time token is judged by its shape before anything looks it up', (t) => {
  t.true(looksLikeOneTimeToken(newOneTimeToken()));
  for (const token of ['', 'a\u0000b', 'a b', 'a+b/c=', 'x'.repeat(201), 42, null, ['a']]) t.false(looksLikeOneTimeToken(token), JSON.stringify(token));
});
