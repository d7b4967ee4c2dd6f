import { XMLParser } from 'fast-xml-parser';

export const DAV = 'DAV:';
export const CARDDAV = 'urn:ietf:params:xml:ns:carddav';
export const CALENDARSERVER = 'http://calendarserver.org/ns/';

/** An element of a request body, its name resolved to a namespace (clients use any prefix). */
export interface XmlElement {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, concatenated. */
  text: string;
}

/** A request body that is not XML we take: the status to answer with. */
export class DavXmlError extends Error {
  constructor(
    readonly status: 400 | 403 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'DavXmlError';
  }
}

export const MAX_XML_BYTES = 1_048_576;
/** Deeper than any DAV request body (a filter is five levels); bounds the parser's recursion. */
const MAX_DEPTH = 48;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: false,
});

/**
 * Refuses what the parser should never see, in one linear pass: a DOCTYPE or ENTITY declaration
 * (no DTD, no external entity, no entity expansion: billion laughs is refused before it starts)
 * and nesting deeper than MAX_DEPTH (10,000 nested elements answer at once instead of recursing).
 */
function screen(body: string): void {
  if (/<!(DOCTYPE|ENTITY)/i.test(body)) throw new DavXmlError(403, 'DTDs and entity declarations are not accepted');
  let depth = 0;
  let i = body.indexOf('<');
  while (i !== -1) {
    if (body.startsWith('<![CDATA[', i)) {
      const end = body.indexOf(']]>', i);
      if (end === -1) throw new DavXmlError(400, 'the XML body is not well-formed');
      i = body.indexOf('<', end + 3);
      continue;
    }
    if (body.startsWith('<!--', i)) {
      const end = body.indexOf('-->', i);
      if (end === -1) throw new DavXmlError(400, 'the XML body is not well-formed');
      i = body.indexOf('<', end + 3);
      continue;
    }
    const next = body.charCodeAt(i + 1);
    // The tag's end: the first '>' outside a quoted attribute value.
    let end = i + 1;
    let quote = 0;
    for (; end < body.length; end++) {
      const c = body.charCodeAt(end);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e) break;
    }
    if (end >= body.length) throw new DavXmlError(400, 'the XML body is not well-formed');
    if (next === 0x2f /* / */) depth--;
    else if (next !== 0x3f /* ? */ && next !== 0x21 /* ! */ && body.charCodeAt(end - 1) !== 0x2f) depth++;
    if (depth > MAX_DEPTH) throw new DavXmlError(400, 'the XML body is nested too deeply');
    i = body.indexOf('<', end + 1);
  }
}

type Raw = Record<string, unknown>;

function toElement(node: Raw, scope: ReadonlyMap<string, string>): XmlElement | null {
  const key = Object.keys(node).find((k) => k !== ':@');
  if (key === undefined || key === '#text' || key.startsWith('?') || key === '#comment') return null;
  const attrs = (node[':@'] as Record<string, string> | undefined) ?? {};
  let inner = scope;
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      (inner as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), String(value));
    }
  }
  const colon = key.indexOf(':');
  const prefix = colon === -1 ? '' : key.slice(0, colon);
  const ns = inner.get(prefix);
  if (ns === undefined && prefix !== '') throw new DavXmlError(400, `the XML prefix "${prefix}" is not declared`);
  const element: XmlElement = { ns: ns ?? '', name: colon === -1 ? key : key.slice(colon + 1), attrs, children: [], text: '' };
  for (const child of (node[key] as Raw[] | undefined) ?? []) {
    if ('#text' in child) element.text += decodeEntities(String(child['#text']));
    else {
      const el = toElement(child, inner);
      if (el) element.children.push(el);
    }
  }
  return element;
}

/** The five predefined entities and character references, decoded by hand (the parser expands none). */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/gi, (_, ref: string) => {
    const lower = ref.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'amp') return '&';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number(lower.slice(1));
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** The root element of a DAV request body; throws DavXmlError for anything else. */
export function parseXml(body: string): XmlElement {
  screen(body);
  let raw: Raw[];
  try {
    raw = parser.parse(body) as Raw[];
  } catch {
    throw new DavXmlError(400, 'the XML body is not well-formed');
  }
  for (const node of raw) {
    const element = toElement(node, new Map());
    if (element) return element;
  }
  throw new DavXmlError(400, 'the XML body has no element');
}

export function child(element: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.ns === ns && c.name === name);
}

export function childrenNamed(element: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return element?.children.filter((c) => c.ns === ns && c.name === name) ?? [];
}

export function is(element: XmlElement | undefined, ns: string, name: string): boolean {
  return element?.ns === ns && element.name === name;
}

// ---- Writing

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const ESCAPED = /[&<>"']/g;

export function escapeXml(text: string): string {
  // Most text (hrefs, ETags, tokens) has nothing to escape: answered without a copy.
  ESCAPED.lastIndex = 0;
  return ESCAPED.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c]!) : text;
}

const PREFIXES: Record<string, string> = { [DAV]: 'd', [CARDDAV]: 'card', [CALENDARSERVER]: 'cs' };
const ROOT_XMLNS = `xmlns:d="${DAV}" xmlns:card="${CARDDAV}" xmlns:cs="${CALENDARSERVER}"`;

/** A property name as written: a known namespace by its prefix, any other with its own declaration. */
export interface PropName {
  ns: string;
  name: string;
}

/** `<name>inner</name>` in the namespace; empty inner → `<name/>`. Inner is already XML. */
export function el(ns: string, name: string, inner = ''): string {
  const safeName = /^[A-Za-z_][\w.-]*$/.test(name) ? name : 'invalid-name';
  const prefix = PREFIXES[ns];
  const open = prefix ? `${prefix}:${safeName}` : `x:${safeName} xmlns:x="${escapeXml(ns)}"`;
  const close = prefix ? `${prefix}:${safeName}` : `x:${safeName}`;
  return inner === '' ? `<${open}/>` : `<${open}>${inner}</${close}>`;
}

export const d = (name: string, inner = '') => el(DAV, name, inner);

/** A whole XML document whose root carries the known namespace declarations. */
export function document(rootNs: string, rootName: string, inner: string): string {
  const prefix = PREFIXES[rootNs] ?? 'd';
  return `<?xml version="1.0" encoding="utf-8"?>\n<${prefix}:${rootName} ${ROOT_XMLNS}>${inner}</${prefix}:${rootName}>\n`;
}

/** One `<d:response>` with the found properties (200) and those it does not have (404). */
export function propResponse(href: string, found: string[], missing: PropName[]): string {
  let inner = d('href', escapeXml(href));
  if (found.length > 0) inner += d('propstat', d('prop', found.join('')) + d('status', 'HTTP/1.1 200 OK'));
  if (missing.length > 0) inner += d('propstat', d('prop', missing.map((p) => el(p.ns, p.name)).join('')) + d('status', 'HTTP/1.1 404 Not Found'));
  return d('response', inner);
}

/** A `<d:response>` of one href and a status only. */
export function statusResponse(href: string, status: string): string {
  return d('response', d('href', escapeXml(href)) + d('status', `HTTP/1.1 ${status}`));
}

/** A DAV error body (RFC 4918 §16) with one precondition element. */
export function errorBody(ns: string, name: string): string {
  return document(DAV, 'error', el(ns, name));
}
