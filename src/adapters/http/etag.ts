/**
 * A contact's version as a strong entity tag (RFC 9110 §8.8.3), and back. The version changes with
 * every write, so the tag does too.
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** The versions an `If-Match` header accepts: the domain's rule, which CardDAV reads too. */
export { versionsFromIfMatch } from '../../domain/contact.js';

/**
 * Whether `If-None-Match` names the current tag (weak comparison, RFC 9110 §13.1.2) or is `*`.
 * Koa's `ctx.fresh` is not used: it also answers "not fresh" whenever the request says
 * `Cache-Control: no-cache`, which fetch() adds to every conditional request it sends.
 */
export function ifNoneMatchHolds(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
