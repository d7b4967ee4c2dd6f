import test from 'ava';
import { cleanUserAgent, maskEmail, USER_AGENT_MAX, validateUsername } from '../../src/domain/account.js';
import { ValidationFailed } from '../../src/domain/errors.js';

test('maskEmail keeps the first characters of the local part and of the domain, and the top-level domain', (t) => {
  t.is(maskEmail('johnny@example.com'), 'jo***@ex***.com');
  t.is(maskEmail('ann@new.example'), 'a***@n***.example');
  t.is(maskEmail('a@b.co'), 'a***@b***.co');
  t.is(maskEmail('x@localhost'), 'x***@lo***');
  t.is(maskEmail('no-at-sign'), '***');
  for (const email of ['johnny@example.com', 'someone.long@company.example.org']) {
    const masked = maskEmail(email);
    t.false(masked.includes(email.split('@')[0]!), masked);
  }
});

test('cleanUserAgent removes control characters, collapses whitespace, bounds the length, and gives null for nothing', (t) => {
  t.is(cleanUserAgent('Mozilla/5.0\u0000 (X11;\r\n Linux)\u007f'), 'Mozilla/5.0 (X11; Linux)');
  t.is([...cleanUserAgent('é'.repeat(1000))!].length, USER_AGENT_MAX);
  t.is(cleanUserAgent('   '), null);
  t.is(cleanUserAgent(''), null);
  t.is(cleanUserAgent(undefined), null);
  t.is(cleanUserAgent(42), null);
});

test('validateUsername trims and accepts 1 to 50 characters without control characters', (t) => {
  t.is(validateUsername({ username: '  Ann  ' }), 'Ann');
  t.is(validateUsername({ username: 'ü'.repeat(50) }), 'ü'.repeat(50));
  for (const username of ['', ' ', 'x'.repeat(51), 'a\tb', null, 1]) t.throws(() => validateUsername({ username }), { instanceOf: ValidationFailed });
});
