import test from 'ava';
import { renderEmail } from '../../../src/adapters/mail/email-templates.js';

const LINK = 'http://app.test/account/confirm-email-change?token=abc_DEF-123';

test('the email-change confirmation has a plain-text part with the link alone on a line, and an HTML part with it', (t) => {
  const mail = renderEmail({ kind: 'email-change-confirm', to: 'new@example.com', username: 'Ann', link: LINK });
  t.is(mail.to, 'new@example.com');
  t.true(mail.text.split('\n').includes(LINK));
  t.true(mail.html.includes(`href="${LINK}"`));
});

test('the security notices have both parts, name the masked address, and carry no link', (t) => {
  for (const email of [
    { kind: 'email-change-requested', to: 'old@example.com', username: 'Ann', newEmail: 'ne***@ex***.com' },
    { kind: 'email-changed', to: 'old@example.com', username: 'Ann', newEmail: 'ne***@ex***.com' },
    { kind: 'account-deleted', to: 'old@example.com', username: 'Ann <b>' },
  ] as const) {
    const mail = renderEmail(email);
    t.true(mail.text.length > 0 && mail.html.startsWith('<!doctype html>'), email.kind);
    t.false(/https?:\/\//.test(mail.text), email.kind);
    if ('newEmail' in email) t.true(mail.text.includes('ne***@ex***.com') && mail.html.includes('ne***@ex***.com'));
    t.false(mail.html.includes('<b>'), 'escaped');
  }
});
