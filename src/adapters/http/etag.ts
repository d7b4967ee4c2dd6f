/**
 * A contact's version as a strong entity tag (RFC 9110 §8.8.3), and back. The version changes with
 * every write, so the tag does too.
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The versions an `If-Match` header accepts, for a write conditional on them: undefined when the
 * header is absent or `*` (any current contact will do). Strong comparison: a weak tag or one we
 * never issued matches nothing, so the write answers 412.
 */
export function versionsFromIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const tag of header.split(',')) {
    const match = /^\s*"([1-9]\d{0,9})"\s*$/.exec(tag);
    if (match) versions.push(Number(match[1]));
  }
  return versions;
}

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
