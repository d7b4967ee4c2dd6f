import type { CardProperty } from '../../domain/contact.js';
import { type ContentLine, type ContentLineParam, textOfCodes } from './vcard-content-lines.js';

/**
 * A content line as the contact keeps it (CardProperty): what only vCard 2.1 and old exporters
 * write is turned into what vCard 3.0 and 4.0 readers read, and nothing else is touched.
 *
 * - `ENCODING=QUOTED-PRINTABLE` values are decoded, in their `CHARSET` (any label TextDecoder
 *   knows: Shift_JIS, ISO-8859-x, Windows-125x, KOI8-R, GB18030, Big5, EUC-KR…); the value is
 *   then text, so ENCODING and CHARSET are dropped. A file that is not UTF-8 is read one character
 *   per byte (see TextMode) and each value is decoded here, in its CHARSET, else as UTF-8 when it
 *   is, else as Windows-1252.
 * - 2.1 text (only `\;` escaped, a literal backslash, commas and line breaks as such) is escaped as
 *   3.0/4.0 text. Semicolons stay separators except in the properties that are one text value.
 * - 2.1 bare parameters (`TEL;WORK;PREF`) become one `TYPE=WORK,PREF`; `ENCODING=BASE64` (or a
 *   bare `BASE64`) becomes 3.0's `ENCODING=b`; `8BIT`/`7BIT` are dropped; 2.1's `VALUE=URL` is `uri`.
 *
 * Every step is one pass over the line.
 */

/** How the file's text was made from its bytes: UTF-8, or one character per byte (`latin1`) when the file is not UTF-8. */
export type TextMode = 'utf-8' | 'bytes';

/** The properties of 2.1 whose value is one text (a semicolon in them is text, not a separator). */
const SINGLE_TEXT = new Set(['FN', 'NOTE', 'TITLE', 'ROLE', 'EMAIL', 'TEL', 'URL', 'LABEL', 'UID', 'MAILER', 'X-ABLABEL', 'BDAY']);
/** The properties whose commas separate values (in every version). */
const COMMA_LISTS = new Set(['CATEGORIES', 'NICKNAME']);

export interface KeptProperty extends CardProperty {
  /** The value is base64 data (`ENCODING=b`). */
  base64: boolean;
}

export function keptProperty(line: ContentLine, legacy: boolean, mode: TextMode): KeptProperty {
  const params: ContentLineParam[] = [];
  let bareTypes: ContentLineParam | null = null;
  let quotedPrintable = false;
  let base64 = false;
  let charset = '';
  for (const param of line.params) {
    if (param.name === '' || param.name === 'ENCODING') {
      const value = (param.values[0] ?? '').trim();
      const upper = value.toUpperCase();
      if (upper === 'QUOTED-PRINTABLE') quotedPrintable = true;
      else if (upper === 'BASE64' || upper === 'B') {
        if (!base64) params.push({ name: 'ENCODING', values: ['b'] });
        base64 = true;
      } else if (upper === '8BIT' || upper === '7BIT' || upper === '') {
        // The transfer encoding of text: nothing to keep once the text is read.
      } else if (param.name === '') {
        if (bareTypes === null) {
          bareTypes = { name: 'TYPE', values: [] };
          params.push(bareTypes);
        }
        bareTypes.values.push(decodeParam(value, mode));
      }
    } else if (param.name === 'CHARSET') {
      charset = (param.values[0] ?? '').trim();
    } else if (legacy && param.name === 'VALUE' && param.values[0]?.toUpperCase() === 'URL') {
      params.push({ name: 'VALUE', values: ['uri'] });
    } else {
      params.push({ name: param.name, values: param.values.map((v) => decodeParam(v, mode)) });
    }
  }

  let value: string;
  if (base64) value = line.value.replace(/\s+/g, '');
  else if (quotedPrintable) value = legacyText(decodeBytes(decodeQuotedPrintable(bytesOf(line.value, mode)), charset), line.name);
  else {
    value = mode === 'bytes' ? decodeBytes(bytesOf(line.value, mode), charset) : line.value;
    if (legacy) value = legacyText(value, line.name);
  }
  return { group: line.group === '' ? null : line.group, name: line.name, params, value, base64 };
}

function bytesOf(text: string, mode: TextMode): Uint8Array {
  return Buffer.from(text, mode === 'bytes' ? 'latin1' : 'utf8');
}

/** A parameter value of a file read byte per character: UTF-8 when it is, else Windows-1252. */
function decodeParam(value: string, mode: TextMode): string {
  return mode === 'bytes' && /[^\u0000-\u007f]/.test(value) ? decodeBytes(Buffer.from(value, 'latin1'), '') : value;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Windows-1252's characters for 0x80–0x9F, which Node's TextDecoder reads as Latin-1's C1 controls. */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function windows1252(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (!/[\u0080-\u009f]/.test(text)) return text;
  const out = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    out[i] = c >= 0x80 && c <= 0x9f ? CP1252_C1.charCodeAt(c - 0x80) : c;
  }
  return textOfCodes(out, text.length);
}

/**
 * Bytes as text in the given charset when TextDecoder knows it; otherwise (no charset, or one
 * unknown) UTF-8 when the bytes are UTF-8, else Windows-1252, which every byte is. Never throws.
 */
export function decodeBytes(bytes: Uint8Array, charset: string): string {
  const label = charset.trim().toLowerCase();
  if (label !== '' && label !== 'utf-8' && label !== 'utf8') {
    try {
      const decoder = new TextDecoder(label);
      // ISO-8859-1, ASCII and Windows-1252 labels all mean Windows-1252 (WHATWG Encoding).
      return decoder.encoding === 'windows-1252' ? windows1252(bytes) : decoder.decode(bytes);
    } catch {
      // An unknown label: what the bytes look like decides.
    }
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    return windows1252(bytes);
  }
}

const HEX: Record<string, number> = Object.fromEntries([...'0123456789ABCDEFabcdef'].map((c) => [c.charCodeAt(0), Number.parseInt(c, 16)]));

/** Quoted-printable (RFC 2045) to bytes: `=XX` is a byte, a `=` that starts no pair is kept (soft breaks were joined by the scanner). */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i += 1) {
    const byte = input[i]!;
    const high = HEX[input[i + 1]!];
    const low = HEX[input[i + 2]!];
    if (byte === 0x3d && high !== undefined && low !== undefined) {
      out[n++] = high * 16 + low;
      i += 2;
    } else out[n++] = byte;
  }
  return out.subarray(0, n);
}

/** 2.1 text (only `\;` escaped, line breaks as such after quoted-printable) as 3.0/4.0 text. */
function legacyText(text: string, name: string): string {
  if (!/[\\;,\r\n]/.test(text)) return text;
  const single = SINGLE_TEXT.has(name);
  const list = COMMA_LISTS.has(name);
  const out = new Uint16Array(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) {
      out[n++] = 0x5c;
      out[n++] = 0x6e;
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i += 1;
      continue;
    }
    if (c === 0x5c && text.charCodeAt(i + 1) === 0x3b) {
      // `\;` is 2.1's one escape: it stays.
      out[n++] = 0x5c;
      out[n++] = 0x3b;
      i += 1;
      continue;
    }
    if (c === 0x5c || (c === 0x3b && single) || (c === 0x2c && !list)) out[n++] = 0x5c;
    out[n++] = c;
  }
  return textOfCodes(out, n);
}
