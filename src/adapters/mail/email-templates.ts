import type { Email } from '../../application/ports/mailer.js';
import { escapeHtml } from '../html.js';

export interface RenderedEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * The recipient exactly as stored, as nodemailer's address object: a string would be parsed again
 * as an address list, and a list can name mailboxes the stored address does not.
 */
export function storedAddress(address: string): { name: string; address: string } {
  return { name: '', address };
}

function html(title: string, paragraphs: string[], link?: { href: string; label: string }): string {
  const button = link
    ? `<p><a href="${escapeHtml(link.href)}" style="display:inline-block;padding:10px 16px;background:#2457c5;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(link.label)}</a></p>` +
      `<p style="font-size:13px;color:#555">Or paste this link into your browser:<br>${escapeHtml(link.href)}</p>`
    : '';
  return (
    `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:560px;margin:auto;padding:16px">` +
    `<h1 style="font-size:20px">${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${button}</body></html>`
  );
}

/** Each email has a plain-text part, where the link stands alone on its own line, and an HTML part. */
export function renderEmail(email: Email): RenderedEmail {
  switch (email.kind) {
    case 'verify-email': {
      const intro = [`Hello ${email.username},`, 'Please confirm your email address to finish creating your account.'];
      return {
        to: email.to,
        subject: 'Confirm your email address',
        text: `${intro.join('\n\n')}\n\n${email.link}\n\nIf you did not sign up, you can ignore this email.\n`,
        html: html('Confirm your email address', [...intro, 'If you did not sign up, you can ignore this email.'], {
          href: email.link,
          label: 'Confirm email',
        }),
      };
    }
    case 'password-reset': {
      const intro = [
        `Hello ${email.username},`,
        'Someone asked to reset the password of your account. Use the link below to choose a new one. It works once and expires soon.',
      ];
      return {
        to: email.to,
        subject: 'Reset your password',
        text: `${intro.join('\n\n')}\n\n${email.link}\n\nIf you did not ask for this, ignore this email: your password stays the same.\n`,
        html: html('Reset your password', [...intro, 'If you did not ask for this, ignore this email: your password stays the same.'], {
          href: email.link,
          label: 'Choose a new password',
        }),
      };
    }
    case 'password-changed': {
      const body = [
        `Hello ${email.username},`,
        'The password of your account was just changed, and every device was signed out.',
        'If this was not you, reset your password at once and contact us.',
      ];
      return { to: email.to, subject: 'Your password was changed', text: `${body.join('\n\n')}\n`, html: html('Your password was changed', body) };
    }
    case 'email-change-confirm': {
      const intro = [
        `Hello ${email.username},`,
        'Someone asked to use this address for their account. Open the link below and press "Confirm" to make the switch. The link works once and expires.',
      ];
      const outro = 'If you did not ask for this, ignore this email: nothing changes.';
      return {
        to: email.to,
        subject: 'Confirm your new email address',
        text: `${intro.join('\n\n')}\n\n${email.link}\n\n${outro}\n`,
        html: html('Confirm your new email address', [...intro, outro], { href: email.link, label: 'Confirm the new address' }),
      };
    }
    case 'email-change-requested': {
      const body = [
        `Hello ${email.username},`,
        `Someone asked to change the email address of your account to ${email.newEmail}. Nothing changes until the link sent to that address is opened and confirmed.`,
        'If this was not you, change your password at once: whoever asked knows it. The change then cannot be confirmed, and every other device is signed out.',
      ];
      return {
        to: email.to,
        subject: 'A change of your email address was requested',
        text: `${body.join('\n\n')}\n`,
        html: html('A change of your email address was requested', body),
      };
    }
    case 'email-changed': {
      const body = [
        `Hello ${email.username},`,
        `The email address of your account was changed to ${email.newEmail}. This address no longer receives anything about the account.`,
        'If this was not you, contact us at once, replying to this email.',
      ];
      return { to: email.to, subject: 'Your email address was changed', text: `${body.join('\n\n')}\n`, html: html('Your email address was changed', body) };
    }
    case 'account-deleted': {
      const body = [
        `Hello ${email.username},`,
        'Your account and everything it held (your contacts, sessions and avatar) have been deleted, as you asked. Goodbye, and thank you for using Contacts.',
        'You can sign up again with this address at any time.',
      ];
      return { to: email.to, subject: 'Your account was deleted', text: `${body.join('\n\n')}\n`, html: html('Your account was deleted', body) };
    }
  }
}
