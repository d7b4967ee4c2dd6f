import libqp from 'libqp';

/**
 * What ical.js lacks, and only that: it reads vCard 3.0 and 4.0, not 2.1. This pass splits a file
 * into cards and rewrites each as a card ical.js reads:
 *
 * - lines unfolded (RFC 6350 §3.2), and 2.1 quoted-printable soft line breaks (`=` at the end)
 *   joined;
 * - only the properties a contact uses are kept (VERSION, FN, N, EMAIL, TEL, BDAY, NOTE), so a
 *   PHOTO blob, a 2.1 `PHOTO;BASE64:` block or an odd ADR can never fail a card;
 * - 2.1 bare parameters (`TEL;WORK;PREF`) become `TYPE=WORK,PREF`; `ENCODING=QUOTED-PRINTABLE`
 *   values are decoded (libqp) in their `CHARSET` and re-escaped as 3.0 text; a 2.1 card is then
 *   written as 3.0.
 *
 * Everything else (parameters, escapes, structured values, dates) is left to ical.js.
 */

const KEPT = new Set(['VERSION', 'FN', 'N', 'EMAIL', 'TEL', 'BDAY', 'NOTE']);
const KEPT_PARAMS = new Set(['TYPE', 'PREF', 'VALUE', 'X-APPLE-OMIT-YEAR']);
const ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', 'B', '8BIT', '7BIT']);

export interface RawCard {
  /** The lines between BEGIN:VCARD and END:VCARD, as in the file. */
  lines: string[];
  /** False when the file ended before the card's END:VCARD. */
  ended: boolean;
}

/** The cards of a file, in order; text outside any card is ignored, and so are cards nested in a card. */
export function cardsOf(text: string): RawCard[] {
  const cards: RawCard[] = [];
  let current: string[] | null = null;
  let depth = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const marker = line.trim().toUpperCase();
    if (marker === 'BEGIN:VCARD') {
      if (current === null) current = [];
      depth += 1;
      continue;
    }
    if (marker === 'END:VCARD' && current !== null) {
      depth -= 1;
      if (depth === 0) {
        cards.push({ lines: current, ended: true });
        current = null;
      }
      continue;
    }
    if (current !== null && depth === 1) current.push(line);
  }
  if (current !== null) cards.push({ lines: current, ended: false });
  return cards;
}

interface ContentLine {
  group: string;
  name: string;
  params: string[];
  value: string;
}

/** The card as vCard 3.0 or 4.0 text holding only the kept properties, or why it cannot be read. */
export function normalizeCard(card: RawCard): string | { problem: string } {
  if (!card.ended) return { problem: 'the card has no END:VCARD' };
  const lines = logicalLines(card.lines);
  const versionLine = lines.find((l) => l.name === 'VERSION');
  const version = versionLine?.value.trim() ?? '3.0';
  if (!['2.1', '3.0', '4.0'].includes(version)) return { problem: `vCard version ${version.slice(0, 10)} is not supported` };
  const legacy = version === '2.1';

  const out = [`VERSION:${legacy ? '3.0' : version}`];
  for (const line of lines) {
    if (line.name === 'VERSION') continue;
    const converted = convert(line, legacy);
    if (converted !== null) out.push(converted);
  }
  return `BEGIN:VCARD\r\n${out.join('\r\n')}\r\nEND:VCARD\r\n`;
}

function logicalLines(raw: string[]): ContentLine[] {
  const joined: string[] = [];
  for (const line of raw) {
    const last = joined.length - 1;
    if (last >= 0 && /^[ \t]/.test(line)) {
      joined[last] += line.slice(1);
    } else if (last >= 0 && joined[last]!.endsWith('=') && isQuotedPrintable(joined[last]!)) {
      // A quoted-printable soft line break: the value goes on in the next line, as it is.
      joined[last] = joined[last]!.slice(0, -1) + line;
    } else if (line.trim() !== '') {
      joined.push(line);
    }
  }
  return joined.flatMap((line) => {
    const parsed = contentLine(line);
    return parsed && KEPT.has(parsed.name) ? [parsed] : [];
  });
}

function isQuotedPrintable(line: string): boolean {
  const colon = valueStart(line);
  return colon > 0 && /;(ENCODING=)?QUOTED-PRINTABLE(;|$)/i.test(line.slice(0, colon));
}

/** Index of the colon that ends the name and parameters (one inside a quoted parameter value does not). */
function valueStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ':' && !quoted) return i;
  }
  return -1;
}

function contentLine(line: string): ContentLine | null {
  const colon = valueStart(line);
  if (colon <= 0) return null;
  const head = line.slice(0, colon);
  const [nameWithGroup = '', ...params] = splitOutsideQuotes(head, ';');
  const dot = nameWithGroup.lastIndexOf('.');
  return {
    group: dot >= 0 ? nameWithGroup.slice(0, dot) : '',
    name: nameWithGroup
      .slice(dot + 1)
      .trim()
      .toUpperCase(),
    params,
    value: line.slice(colon + 1),
  };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function convert(line: ContentLine, legacy: boolean): string | null {
  const types: string[] = [];
  const kept: string[] = [];
  let encoding = '';
  let charset = '';
  for (const param of line.params) {
    const eq = param.indexOf('=');
    const key = (eq < 0 ? '' : param.slice(0, eq)).trim().toUpperCase();
    const value = (eq < 0 ? param : param.slice(eq + 1)).trim();
    if (eq < 0) {
      if (ENCODINGS.has(value.toUpperCase())) encoding = value.toUpperCase();
      else if (/^[A-Za-z0-9-]+$/.test(value)) types.push(value);
    } else if (key === 'ENCODING') encoding = value.toUpperCase();
    else if (key === 'CHARSET') charset = value.replace(/"/g, '');
    else if (key === 'TYPE') types.push(...value.split(',').filter((t) => /^[A-Za-z0-9-]+$/.test(t)));
    else if (KEPT_PARAMS.has(key)) kept.push(`${key}=${value}`);
  }
  // Binary data has no place in the properties kept.
  if (encoding === 'BASE64' || encoding === 'B') return null;

  let value = line.value;
  if (encoding === 'QUOTED-PRINTABLE') value = escapeText(decodeQuotedPrintable(value, charset), line.name === 'N');
  else if (legacy) value = escapeText(value, line.name === 'N');
  // ical.js unescapes `\;` only in compound values (N), as RFC 6350 has it; RFC 2426 text escapes
  // it everywhere (Thunderbird, Apple do), so it is taken as a plain semicolon here.
  else if (line.name !== 'N') value = value.replace(/\\(.)/g, (pair, c: string) => (c === ';' ? ';' : pair));

  const params = [...(types.length > 0 ? [`TYPE=${types.join(',')}`] : []), ...kept];
  const group = /^[A-Za-z0-9-]+$/.test(line.group) ? `${line.group}.` : '';
  return `${group}${line.name}${params.map((p) => `;${p}`).join('')}:${value}`;
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
