import libqp from 'libqp';
import { type ContentLine, parseContentLine, type ScannedCard, splitValue, unescapeText } from './vcard-content-lines.js';

/**
 * What ical.js lacks, and only that: it reads vCard 3.0 and 4.0, not 2.1. This pass takes a card's
 * logical lines (vcard-content-lines.ts: unfolded, quoted-printable soft breaks joined) and writes
 * the card again as one ical.js reads:
 *
 * - only the properties a contact uses are kept (VERSION, FN, N, EMAIL, TEL, BDAY, NOTE), so a
 *   PHOTO blob, a 2.1 `PHOTO;BASE64:` block or an odd ADR can never fail a card;
 * - 2.1 bare parameters (`TEL;WORK;PREF`) become `TYPE=WORK,PREF`; `ENCODING=QUOTED-PRINTABLE`
 *   values are decoded (libqp) in their `CHARSET` and re-escaped as 3.0 text; a 2.1 card is then
 *   written as 3.0.
 *
 * Everything else (escapes, structured values, dates) is left to ical.js, which is handed one
 * line per property with a few short parameters: its reading is then linear in the card.
 */

const KEPT = new Set(['VERSION', 'FN', 'N', 'EMAIL', 'TEL', 'BDAY', 'NOTE']);
const KEPT_PARAMS = new Set(['TYPE', 'PREF', 'VALUE', 'X-APPLE-OMIT-YEAR']);
const ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', 'B', '8BIT', '7BIT']);

export interface NormalizedCard {
  /** The card as vCard 3.0 or 4.0 text holding only the kept properties. */
  text: string;
  /**
   * The components of its first N, decoded (a component's comma-separated values joined by a
   * space): ical.js takes `\\;` (an escaped backslash, then the separator) for an escaped one.
   */
  n: string[] | null;
}

/** The card for ical.js, or why it cannot be read. */
export function normalizeCard(card: ScannedCard): NormalizedCard | { problem: string } {
  if (card.problem !== undefined) return { problem: card.problem };
  if (!card.ended) return { problem: 'the card has no END:VCARD' };
  const lines: ContentLine[] = [];
  for (const text of card.lines) {
    const line = parseContentLine(text);
    if (line !== null && KEPT.has(line.name)) lines.push(line);
  }
  const versionLine = lines.find((l) => l.name === 'VERSION');
  const version = versionLine?.value.trim() ?? '3.0';
  if (!['2.1', '3.0', '4.0'].includes(version)) return { problem: `vCard version ${version.slice(0, 10)} is not supported` };
  const legacy = version === '2.1';

  const out = [`VERSION:${legacy ? '3.0' : version}`];
  let n: string[] | null = null;
  for (const line of lines) {
    if (line.name === 'VERSION') continue;
    const converted = convert(line, legacy);
    if (converted === null) continue;
    out.push(converted.line);
    if (line.name === 'N' && n === null) n = splitValue(converted.value, ';').map((c) => splitValue(c, ',').map(unescapeText).join(' '));
  }
  return { text: `BEGIN:VCARD\r\n${out.join('\r\n')}\r\nEND:VCARD\r\n`, n };
}

const TOKEN = /^[A-Za-z0-9-]+$/;

/**
 * The line as ical.js reads it. Parameters are cut down to one TYPE (its values merged) and the
 * first of each other kept one, all plain tokens, so that what ical.js is handed stays small
 * whatever the card repeats.
 */
function convert(line: ContentLine, legacy: boolean): { line: string; value: string } | null {
  const types = new Set<string>();
  const kept = new Map<string, string>();
  let encoding = '';
  let charset = '';
  for (const param of line.params) {
    const values = param.values.map((v) => v.trim());
    if (param.name === '') {
      const value = values[0]!.toUpperCase();
      if (ENCODINGS.has(value)) encoding = value;
      else if (TOKEN.test(value)) types.add(values[0]!);
    } else if (param.name === 'ENCODING') encoding = (values[0] ?? '').toUpperCase();
    else if (param.name === 'CHARSET') charset = values[0] ?? '';
    else if (param.name === 'TYPE') {
      for (const t of values) if (TOKEN.test(t)) types.add(t);
    } else if (KEPT_PARAMS.has(param.name) && !kept.has(param.name) && values.length === 1 && TOKEN.test(values[0]!)) kept.set(param.name, values[0]!);
  }
  // Binary data has no place in the properties kept.
  if (encoding === 'BASE64' || encoding === 'B') return null;

  let value = line.value;
  if (encoding === 'QUOTED-PRINTABLE') value = escapeText(decodeQuotedPrintable(value, charset), line.name === 'N');
  else if (legacy) value = escapeText(value, line.name === 'N');
  // ical.js unescapes `\;` only in compound values (N), as RFC 6350 has it; RFC 2426 text escapes
  // it everywhere (Thunderbird, Apple do), so it is taken as a plain semicolon here.
  else if (line.name !== 'N') value = value.replace(/\\(.)/g, (pair, c: string) => (c === ';' ? ';' : pair));

  const params = [...(types.size > 0 ? [`TYPE=${[...types].join(',')}`] : []), ...[...kept].map(([k, v]) => `${k}=${v}`)];
  const group = TOKEN.test(line.group) ? `${line.group}.` : '';
  return { line: `${group}${line.name}${params.map((p) => `;${p}`).join('')}:${value}`, value };
}

function decodeQuotedPrintable(value: string, charset: string): string {
  const bytes = libqp.decode(value);
  try {
    return new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    // An unknown CHARSET label: UTF-8 is what a modern exporter meant.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * 2.1 text (only `\;` escaped, line breaks as such after quoted-printable) as 3.0 text. N keeps its
 * unescaped semicolons as the separators of its components.
 */
function escapeText(text: string, structured: boolean): string {
  const components = structured ? splitUnescaped(text) : [text.replace(/\\;/g, ';')];
  return components
    .map((c) =>
      c
        .replace(/\\/g, '\\\\')
        .replace(structured ? /[,;]/g : /,/g, '\\$&')
        .replace(/\r\n|\r|\n/g, '\\n'),
    )
    .join(';');
}

function splitUnescaped(text: string): string[] {
  return text.split(/(?<!\\);/).map((c) => c.replace(/\\;/g, ';'));
}
