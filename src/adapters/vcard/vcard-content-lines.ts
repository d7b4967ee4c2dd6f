/**
 * The content lines of vCard files (RFC 6350 §3.2–3.3, RFC 2426, vCard 2.1), read the lenient way
 * address books write them, in time proportional to the text whatever it holds: each character is
 * looked at a bounded number of times, pieces are joined once, and no regular expression that can
 * backtrack sees the data.
 */

/** Longest physical line a card may have: room for a PHOTO an exporter did not fold. */
export const MAX_PHYSICAL_LINE_CHARS = 1_048_576;
/** Longest logical line (folds and quoted-printable soft breaks joined) a card may have. */
export const MAX_LOGICAL_LINE_CHARS = 2_097_152;
/**
 * Most parameter values a card may have over all its lines (`TYPE=work,voice` is two, a 2.1 bare
 * `WORK` one). Address books write a handful per property; a card of tens of thousands is an
 * attack, and each value is a few small objects that would stay alive from reading to writing.
 */
export const MAX_CARD_PARAM_VALUES = 2_000;
/**
 * Most logical lines (properties) a card may have. A rich card has a few dozen; past this bound a
 * card is refused before any line is parsed, so that its properties, kept from reading to writing,
 * stay few whatever the file holds.
 */
export const MAX_CARD_LINES = 2_000;

/**
 * One parameter: `TYPE=work,voice` is `{ name: 'TYPE', values: ['work', 'voice'] }` (name upper-cased,
 * quotes removed, RFC 6868 `^n`, `^'`, `^^` decoded). A vCard 2.1 bare parameter (`TEL;WORK`) has the
 * name `''` and its text as the one value.
 */
export interface ContentLineParam {
  name: string;
  values: string[];
}

/** One logical line: `item1.EMAIL;TYPE=home:ann@example.com`. The value is as written (still escaped). */
export interface ContentLine {
  /** Set when the line has more parameter values than the caller allowed: reading stopped there, params and value are incomplete. */
  tooManyParams?: true;
  /** The group before the name (`item1`), or `''`. */
  group: string;
  /** Upper-cased. */
  name: string;
  params: ContentLineParam[];
  value: string;
}

/**
 * One line split into group, name, parameters and value in one left-to-right pass; a colon or
 * semicolon inside a quoted parameter value does not end it. Null when the line has no name or
 * no colon after it (a reader ignores such a line). Past `maxParamValues` parameter values it
 * stops and says so (`tooManyParams`), so that a line of a million parameters costs no more than
 * one of that many.
 */
export function parseContentLine(line: string, maxParamValues = Number.POSITIVE_INFINITY): ContentLine | null {
  const length = line.length;
  let i = 0;
  while (i < length && line[i] !== ';' && line[i] !== ':') i += 1;
  if (i === length) return null;
  const fullName = line.slice(0, i).trim();
  const dot = fullName.lastIndexOf('.');
  const name = fullName.slice(dot + 1).toUpperCase();
  if (name === '') return null;
  const group = dot >= 0 ? fullName.slice(0, dot) : '';
  // A quote opens a quoted value only when another one closes it later in the line.
  const lastQuote = line.lastIndexOf('"');
  const params: ContentLineParam[] = [];
  let count = 0;
  while (line[i] === ';') {
    if (count > maxParamValues) return { tooManyParams: true, group, name, params, value: '' };
    i += 1;
    const start = i;
    while (i < length && line[i] !== '=' && line[i] !== ';' && line[i] !== ':') i += 1;
    if (i === length) return null;
    const paramName = line.slice(start, i).trim();
    if (line[i] !== '=') {
      if (paramName !== '') {
        params.push({ name: '', values: [paramName] });
        count += 1;
      }
      continue;
    }
    const values: string[] = [];
    do {
      i += 1;
      if (line[i] === '"' && i < lastQuote) {
        const close = line.indexOf('"', i + 1);
        values.push(decodeCaret(line.slice(i + 1, close)));
        i = close + 1;
        // Anything between the closing quote and the next separator belongs to no value.
        while (i < length && line[i] !== ',' && line[i] !== ';' && line[i] !== ':') i += 1;
      } else {
        const valueStart = i;
        while (i < length && line[i] !== ',' && line[i] !== ';' && line[i] !== ':') i += 1;
        values.push(decodeCaret(line.slice(valueStart, i)));
      }
      count += 1;
    } while (line[i] === ',' && count <= maxParamValues);
    if (i === length) return null;
    params.push({ name: paramName.toUpperCase(), values });
  }
  if (count > maxParamValues) return { tooManyParams: true, group, name, params, value: '' };
  return { group, name, params, value: line.slice(i + 1) };
}

const CARET_CODE = 0x5e;
/** What follows a `^` in an RFC 6868 escape, and the character it stands for. */
const CARET: Readonly<Record<string, number>> = { '^': CARET_CODE, n: 0x0a, N: 0x0a, "'": 0x22 };

function decodeCaret(value: string): string {
  if (!value.includes('^')) return value;
  const out = new Uint16Array(value.length);
  let n = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    const decoded = c === CARET_CODE ? CARET[value[i + 1] ?? ''] : undefined;
    if (decoded === undefined) out[n++] = c;
    else {
      out[n++] = decoded;
      i += 1;
    }
  }
  return textOfCodes(out, n);
}

/** The cards of a file as found by scanCards: logical lines, not yet parsed. */
export interface ScannedCard {
  /** The logical lines between BEGIN:VCARD and END:VCARD: folds and quoted-printable soft breaks joined, blank lines left out. */
  lines: string[];
  /** False when the file ended before the card's END:VCARD. */
  ended: boolean;
  /** Why the card cannot be read (a line over a bound); its lines are then incomplete. */
  problem?: string;
  /** Characters of the file the card spans, for the caller's accounting of work. */
  size: number;
}

/**
 * The cards of a text, in order: text outside any card is ignored, and so are cards nested in a
 * card. Lines end at CRLF, LF or a bare CR. Between cards, and inside a long one, it yields null
 * each time it has read about `pauseEvery` characters, so that a caller can let other work in.
 */
export function* scanCards(text: string, pauseEvery = 65_536): Generator<ScannedCard | null> {
  const length = text.length;
  let nextCr = -2;
  let nextLf = -2;
  let pos = 0;
  let sincePause = 0;
  let card: CardBuilder | null = null;
  let depth = 0;
  while (pos < length) {
    // Each of the two searches runs over any stretch of the text at most once.
    if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
    const end = Math.min(nextCr === -1 ? length : nextCr, nextLf === -1 ? length : nextLf);
    const next = end < length && text[end] === '\r' && text[end + 1] === '\n' ? end + 2 : end + 1;
    const lineLength = end - pos;
    const marker = lineLength <= 32 ? text.slice(pos, end).trim().toUpperCase() : '';
    if (marker === 'BEGIN:VCARD') {
      if (card === null) card = new CardBuilder(pos);
      depth += 1;
    } else if (marker === 'END:VCARD' && card !== null) {
      depth -= 1;
      if (depth === 0) {
        yield card.finish(true, next);
        card = null;
      }
    } else if (card !== null && depth === 1) {
      card.add(text, pos, end);
    }
    sincePause += next - pos;
    pos = next;
    if (sincePause >= pauseEvery) {
      sincePause = 0;
      yield null;
    }
  }
  if (card !== null) yield card.finish(false, length);
}

class CardBuilder {
  private readonly lines: string[] = [];
  private parts: string[] = [];
  private partsLength = 0;
  /** Whether the logical line being built is quoted-printable; undefined until asked. */
  private quotedPrintable: boolean | undefined;
  private problem: string | undefined;

  constructor(private readonly start: number) {}

  add(text: string, from: number, to: number): void {
    if (this.problem !== undefined) return;
    if (to - from > MAX_PHYSICAL_LINE_CHARS) {
      this.problem = `a line of the card is longer than ${MAX_PHYSICAL_LINE_CHARS} characters`;
      return;
    }
    const first = text[from];
    if (this.parts.length > 0 && (first === ' ' || first === '\t')) {
      this.append(text.slice(from + 1, to));
    } else if (this.parts.length > 0 && this.parts.at(-1)!.endsWith('=') && this.isQuotedPrintable()) {
      // A quoted-printable soft line break: the value goes on in the next line, as it is.
      this.parts.push(this.parts.pop()!.slice(0, -1));
      this.partsLength -= 1;
      this.append(text.slice(from, to));
    } else {
      const line = text.slice(from, to);
      // A blank line is skipped, not an end: a folded line may go on after it, as readers allow.
      if (line.trim() === '') return;
      this.endLine();
      this.append(line);
    }
  }

  finish(ended: boolean, end: number): ScannedCard {
    this.endLine();
    const card: ScannedCard = { lines: this.lines, ended, size: end - this.start };
    if (this.problem !== undefined) card.problem = this.problem;
    return card;
  }

  private append(piece: string): void {
    this.partsLength += piece.length;
    if (this.partsLength > MAX_LOGICAL_LINE_CHARS) {
      this.problem = `a line of the card, unfolded, is longer than ${MAX_LOGICAL_LINE_CHARS} characters`;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  private endLine(): void {
    if (this.parts.length > 0 && this.problem === undefined) {
      if (this.lines.length === MAX_CARD_LINES) {
        this.problem = `the card has more than ${MAX_CARD_LINES} lines`;
        this.lines.length = 0;
      } else this.lines.push(this.parts.join(''));
    }
    this.parts = [];
    this.partsLength = 0;
    this.quotedPrintable = undefined;
  }

  /** Worked out once per logical line: its name and parameters are whole by the time a soft break is met. */
  private isQuotedPrintable(): boolean {
    if (this.quotedPrintable === undefined) {
      const joined = this.parts.join('');
      this.parts = [joined];
      // A line over the bound makes the card unreadable anyway; its first parameters decide.
      const params = parseContentLine(joined, MAX_CARD_PARAM_VALUES)?.params ?? [];
      this.quotedPrintable = params.some(
        (p) => (p.name === 'ENCODING' || p.name === '') && p.values.some((v) => v.trim().toUpperCase() === 'QUOTED-PRINTABLE'),
      );
    }
    return this.quotedPrintable;
  }
}

/**
 * A value split at each `separator` (`,;`: at either) that no backslash escapes (`\\` escapes
 * the backslash, not what follows): its first `limit` parts, the rest left out (like String.split's
 * limit), so that a value of a million separators makes only the parts a caller reads.
 */
export function splitValue(value: string, separator: ';' | ',' | ',;', limit = Number.POSITIVE_INFINITY): string[] {
  const parts: string[] = [];
  const one = separator[0];
  const other = separator[1] ?? one;
  let start = 0;
  for (let i = 0; i < value.length && parts.length < limit; i += 1) {
    const c = value[i];
    if (c === '\\') i += 1;
    else if (c === one || c === other) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length < limit) parts.push(value.slice(start));
  return parts;
}

/**
 * Text decoded the lenient way the best readers do: `\n` and `\N` are a line break, and a backslash
 * before any other character is that character (`\,`, `\;`, `\\`, Apple's `\"`, others' `\:`).
 * A backslash that ends the value stays.
 */
export function unescapeText(value: string): string {
  if (!value.includes('\\')) return value;
  const out = new Uint16Array(value.length);
  let n = 0;
  for (let i = 0; i < value.length; i += 1) {
    let c = value.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < value.length) {
      i += 1;
      c = value.charCodeAt(i);
      if (c === 0x6e || c === 0x4e) c = LF;
    }
    out[n++] = c;
  }
  return textOfCodes(out, n);
}

const BACKSLASH = 0x5c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Text as both RFC 6350 and RFC 2426 readers read it back: `\\`, `\,`, `\;`, and `\n` for every
 * line break (CRLF, LF or a bare CR), so that no value can end its line and start a property.
 */
export function escapeText(value: string): string {
  if (!/[\r\n\\,;]/.test(value)) return value;
  const out = new Uint16Array(value.length * 2);
  let n = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === CR || c === LF) {
      out[n++] = BACKSLASH;
      out[n++] = 0x6e;
      if (c === CR && value.charCodeAt(i + 1) === LF) i += 1;
    } else {
      if (c === BACKSLASH || c === 0x2c || c === 0x3b) out[n++] = BACKSLASH;
      out[n++] = c;
    }
  }
  return textOfCodes(out, n);
}

/**
 * The first `length` UTF-16 code units of `codes` as a string. Escaping and unescaping write code
 * units into one array rather than pieces into a list or a replace's callback: a value of nothing
 * but escapes then makes no object per character, garbage whose cost grows faster than the card.
 */
export function textOfCodes(codes: Uint16Array, length: number): string {
  const parts: string[] = [];
  for (let at = 0; at < length; at += 8_192) {
    parts.push(String.fromCharCode.apply(null, codes.subarray(at, Math.min(length, at + 8_192)) as unknown as number[]));
  }
  return parts.join('');
}

const PLAIN_ASCII = /^[\x00-\x5b\x5d-\x7f]*$/;

/**
 * A content line folded (RFC 6350 §3.2) into lines of at most 75 octets of UTF-8, the leading space
 * included, ended by CRLF. A fold never splits a character or a backslash escape.
 */
export function foldLine(line: string): string {
  // ASCII without escapes (an inline photo's base64, most lines): a character is an octet, any place may fold.
  if (PLAIN_ASCII.test(line)) {
    if (line.length <= 75) return `${line}\r\n`;
    const pieces = [line.slice(0, 75)];
    for (let at = 75; at < line.length; at += 74) pieces.push(line.slice(at, at + 74));
    return `${pieces.join('\r\n ')}\r\n`;
  }
  const pieces: string[] = [];
  let start = 0;
  let octets = 0;
  let limit = 75;
  for (let i = 0; i < line.length; ) {
    const code = line.codePointAt(i)!;
    let units = code > 0xffff ? 2 : 1;
    let size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code === 0x5c && i + 1 < line.length) {
      const next = line.codePointAt(i + 1)!;
      units += next > 0xffff ? 2 : 1;
      size += next < 0x80 ? 1 : next < 0x800 ? 2 : next < 0x10000 ? 3 : 4;
    }
    if (octets + size > limit) {
      pieces.push(line.slice(start, i));
      start = i;
      octets = 0;
      limit = 74;
    }
    octets += size;
    i += units;
  }
  pieces.push(line.slice(start));
  return `${pieces.join('\r\n ')}\r\n`;
}

/** A parameter's values as written back: quoted when they hold `,`, `;` or `:`, RFC 6868 `^` escapes for `^`, `"` and line breaks. */
export function formatParam(param: ContentLineParam): string {
  const values = param.values.map((v) => {
    const encoded = /[\^"\r\n]/.test(v) ? encodeCaret(v) : v;
    return /[,;:]/.test(encoded) ? `"${encoded}"` : encoded;
  });
  return param.name === '' ? values.join(',') : `${param.name}=${values.join(',')}`;
}

/** RFC 6868: `^` as `^^`, `"` as `^'`, a line break (CRLF, LF or CR) as `^n`. */
function encodeCaret(value: string): string {
  const out = new Uint16Array(value.length * 2);
  let n = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === CARET_CODE || c === 0x22 || c === CR || c === LF) {
      out[n++] = CARET_CODE;
      out[n++] = c === CARET_CODE ? CARET_CODE : c === 0x22 ? 0x27 : 0x6e;
      if (c === CR && value.charCodeAt(i + 1) === LF) i += 1;
    } else out[n++] = c;
  }
  return textOfCodes(out, n);
}

/** One content line (not folded): `group.NAME;P=v:value`, the value as given (already escaped). */
export function formatContentLine(line: { group: string | null; name: string; params: readonly ContentLineParam[]; value: string }): string {
  const params = line.params.map((p) => `;${formatParam(p)}`).join('');
  return `${line.group ? `${line.group}.` : ''}${line.name}${params}:${line.value}`;
}
