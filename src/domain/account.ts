import { FieldErrors } from './errors.js';
import { checkText } from './validation.js';

export const USERNAME_MAX = 50;
/** Longer User-Agent headers are cut: the list of sessions shows it, nothing relies on the rest. */
export const USER_AGENT_MAX = 256;

/** The one field of an account its owner edits directly. */
export function validateUsername(input: { username?: unknown }): string {
  const errors = new FieldErrors();
  const username = checkText(errors, 'username', input.username, USERNAME_MAX);
  errors.throwIfAny();
  return username!;
}

/**
 * A User-Agent as a session keeps it: control characters removed, whitespace collapsed, at most
 * USER_AGENT_MAX characters (code points); null when nothing is left.
 */
export function cleanUserAgent(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const cleaned = raw
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleaned) return null;
  const chars = [...cleaned];
  return chars.length > USER_AGENT_MAX ? chars.slice(0, USER_AGENT_MAX).join('') : cleaned;
}

/**
 * An address shown to someone who may not own it, partly hidden: `jo***@ex***.com`. The first one or
 * two characters of the local part and of the domain's first label stay, and the top-level domain.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  const local = [...email.slice(0, at)];
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = [...(dot > 0 ? domain.slice(0, dot) : domain)];
  const tld = dot > 0 ? domain.slice(dot) : '';
  const keep = (chars: string[]) => chars.slice(0, chars.length > 4 ? 2 : 1).join('');
  return `${keep(local)}***@${keep(host)}***${tld}`;
}
