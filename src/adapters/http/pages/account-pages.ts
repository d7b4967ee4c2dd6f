import type { FieldError } from '../../../domain/errors.js';
import { html, type SafeHtml } from '../../html.js';
import { errorSummary, field, layout, type FieldSpec } from './layout.js';
import { PASSWORD_MIN_BYTES } from '../../../domain/password-policy.js';

/** The account pages people reach from their inbox. Each returns a whole document; nothing here knows HTTP. */

const EMAIL: FieldSpec = { name: 'email', label: 'Email address', type: 'email', autocomplete: 'email' };
const PASSWORD: FieldSpec = {
  name: 'password',
  label: 'New password',
  type: 'password',
  autocomplete: 'new-password',
  hint: `At least ${PASSWORD_MIN_BYTES} characters. Very common passwords are refused.`,
};
const PASSWORD_CONFIRM: FieldSpec = { name: 'passwordConfirm', label: 'Confirm new password', type: 'password', autocomplete: 'new-password' };
const LABELS = Object.fromEntries([EMAIL, PASSWORD, PASSWORD_CONFIRM].map((f) => [f.name, f.label]));

export interface FormState {
  email?: string;
  errors?: readonly FieldError[];
}

export function forgotPasswordPage(state: FormState = {}): SafeHtml {
  const errors = state.errors ?? [];
  return layout(
    'Forgot your password?',
    html`${errorSummary(errors, LABELS)}
<p>Enter the email address of your account and we will send you a link to choose a new password.</p>
<form method="post" action="forgot-password">
${field({ ...EMAIL, value: state.email ?? '' }, errors)}
<button type="submit">Send the link</button>
</form>`,
  );
}

export function checkInboxPage(kind: 'reset' | 'verify'): SafeHtml {
  const what =
    kind === 'reset'
      ? 'If an account uses this email address, we have sent it a link to choose a new password. It works once and expires soon.'
      : 'If an account that is not yet confirmed uses this email address, we have sent it a new confirmation link.';
  return layout(
    'Check your inbox',
    html`<p class="notice">${what}</p>
<p class="muted">Nothing arrived after a few minutes? Look in your spam folder, or check the address and try again.</p>`,
  );
}

export function resetPasswordPage(state: { token: string; errors?: readonly FieldError[] }): SafeHtml {
  const errors = state.errors ?? [];
  return layout(
    'Choose a new password',
    html`${errorSummary(errors, LABELS)}
<p>Once it is changed, every device signed in to your account is signed out.</p>
<form method="post" action="reset-password">
<input type="hidden" name="token" value="${state.token}">
${field(PASSWORD, errors)}
${field(PASSWORD_CONFIRM, errors)}
<button type="submit">Change my password</button>
</form>`,
  );
}

export function passwordChangedPage(): SafeHtml {
  return layout(
    'Your password was changed',
    html`<p class="notice">You can now log in with your new password.</p>
<p>For your safety, every device that was signed in to your account has been signed out.</p>`,
  );
}

export function invalidResetLinkPage(): SafeHtml {
  return layout(
    'This link cannot be used',
    html`<p>This password reset link is invalid, has already been used, or has expired.</p>
<p><a href="forgot-password">Ask for a new link</a></p>`,
  );
}

export function emailVerifiedPage(): SafeHtml {
  return layout('Your email address is confirmed', html`<p class="notice">Thank you. Your account is ready: you can now log in.</p>`);
}

/** A form to get a new confirmation link; `deadLink` when a confirmation link brought the reader here. */
export function resendVerificationPage(state: FormState & { deadLink?: boolean } = {}): SafeHtml {
  const errors = state.errors ?? [];
  return layout(
    state.deadLink ? 'This link cannot be used' : 'Get a new confirmation link',
    html`${errorSummary(errors, LABELS)}
${state.deadLink ? html`<p>This confirmation link is invalid or has expired.</p>` : ''}
<p>Enter the email address you signed up with and we will send you a new confirmation link.</p>
<form method="post" action="resend-verification">
${field({ ...EMAIL, value: state.email ?? '' }, errors)}
<button type="submit">Send a new link</button>
</form>`,
  );
}

export function errorPage(title: string, message: string, retryLink?: { href: string; label: string }): SafeHtml {
  return layout(title, html`<p>${message}</p>${retryLink ? html`<p><a href="${retryLink.href}">${retryLink.label}</a></p>` : ''}`);
}

/** What an email-change link opens: the address it would switch to, and a button that does it. */
export function confirmEmailChangePage(state: { token: string; newEmail: string }): SafeHtml {
  return layout(
    'Confirm your new email address',
    html`<p>Your account's email address will become:</p>
<p class="notice"><strong>${state.newEmail}</strong></p>
<p>From then on you log in with this address, and every email about the account goes to it.</p>
<form method="post" action="confirm-email-change">
<input type="hidden" name="token" value="${state.token}">
<button type="submit">Confirm</button>
</form>`,
  );
}

export function emailChangedPage(newEmail: string): SafeHtml {
  return layout(
    'Your email address was changed',
    html`<p class="notice">Your account now uses <strong>${newEmail}</strong>.</p>
<p>Log in with this address from now on. We told your previous address about the change.</p>`,
  );
}

export function invalidEmailChangeLinkPage(): SafeHtml {
  return layout(
    'This link cannot be used',
    html`<p>This email change link is invalid, has already been used, has expired, or was replaced by a newer request.</p>
<p>To change your email address, ask again from your account; a new link will be sent to the new address.</p>`,
  );
}

export function emailChangeTakenPage(): SafeHtml {
  return layout(
    'This address is already in use',
    html`<p>Another account started using this email address after you asked for the change, so your address was not changed.</p>
<p>Your account keeps its current address. You can ask to change it to another one from your account.</p>`,
  );
}
