import { CARDDAV, child, childrenNamed, type XmlElement } from './xml.js';

/** An addressbook-query filter (RFC 6352 §10.5), as parsed from its XML. */
export interface CardFilter {
  allOf: boolean;
  props: PropFilter[];
}

interface TextMatch {
  text: string;
  matchType: 'equals' | 'contains' | 'starts-with' | 'ends-with';
  negate: boolean;
  /** i;octet compares as written; i;ascii-casemap and i;unicode-casemap (the default) ignore case. */
  octet: boolean;
}

interface PropFilter {
  name: string;
  allOf: boolean;
  isNotDefined: boolean;
  matches: TextMatch[];
}

const MATCH_TYPES = ['equals', 'contains', 'starts-with', 'ends-with'] as const;

export function parseFilter(filter: XmlElement | undefined): CardFilter {
  return {
    allOf: filter?.attrs.test === 'allof',
    props: childrenNamed(filter, CARDDAV, 'prop-filter').map((p) => ({
      name: (p.attrs.name ?? '').toUpperCase(),
      allOf: p.attrs.test === 'allof',
      isNotDefined: child(p, CARDDAV, 'is-not-defined') !== undefined,
      matches: childrenNamed(p, CARDDAV, 'text-match').map((m) => ({
        text: m.text,
        matchType: (MATCH_TYPES as readonly string[]).includes(m.attrs['match-type'] ?? '') ? (m.attrs['match-type'] as TextMatch['matchType']) : 'contains',
        negate: m.attrs['negate-condition'] === 'yes',
        octet: m.attrs.collation === 'i;octet',
      })),
    })),
  };
}

interface Line {
  name: string;
  raw: string;
  value: string;
}

/** The content lines of a vCard as written by our writer (CRLF, folded): name without group, and the unescaped value. */
function linesOf(card: string): Line[] {
  const unfolded = card.replace(/\r\n[ \t]/g, '').split(/\r\n|\n/);
  const lines: Line[] = [];
  for (const raw of unfolded) {
    if (raw === '') continue;
    const colon = raw.indexOf(':');
    if (colon === -1) continue;
    const head = raw.slice(0, colon);
    const withoutGroup = head.split(';')[0]!.split('.').at(-1)!.toUpperCase();
    const value = raw.slice(colon + 1).replace(/\\([\\,;nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
    lines.push({ name: withoutGroup, raw, value });
  }
  return lines;
}

function textMatches(value: string, match: TextMatch): boolean {
  const fold = (s: string) => (match.octet ? s : s.normalize('NFKC').toLocaleLowerCase('und'));
  const v = fold(value);
  const t = fold(match.text);
  let hit: boolean;
  if (match.matchType === 'equals') hit = v === t;
  else if (match.matchType === 'starts-with') hit = v.startsWith(t);
  else if (match.matchType === 'ends-with') hit = v.endsWith(t);
  else hit = v.includes(t);
  return hit !== match.negate;
}

function propMatches(filter: PropFilter, lines: Line[]): boolean {
  const props = lines.filter((l) => l.name === filter.name);
  if (filter.isNotDefined) return props.length === 0;
  if (props.length === 0) return false;
  if (filter.matches.length === 0) return true;
  return props.some((prop) =>
    filter.allOf ? filter.matches.every((m) => textMatches(prop.value, m)) : filter.matches.some((m) => textMatches(prop.value, m)),
  );
}

/** Whether a card (vCard text) matches the filter; an empty filter matches every card. */
export function matchesFilter(filter: CardFilter, card: string): boolean {
  if (filter.props.length === 0) return true;
  const lines = linesOf(card);
  return filter.allOf ? filter.props.every((p) => propMatches(p, lines)) : filter.props.some((p) => propMatches(p, lines));
}

/** The card with only the properties an address-data element names (BEGIN, END, VERSION and UID always). */
export function addressDataOf(card: string, addressData: XmlElement): string {
  const names = childrenNamed(addressData, CARDDAV, 'prop').map((p) => (p.attrs.name ?? '').toUpperCase());
  if (names.length === 0 || addressData.attrs.allprop !== undefined) return card;
  const keep = new Set(['BEGIN', 'END', 'VERSION', 'UID', ...names]);
  const out: string[] = [];
  // Kept as written (folded lines stay whole): a line and its continuations go together.
  const physical = card.split('\r\n');
  let keeping = false;
  for (const line of physical) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (keeping) out.push(line);
      continue;
    }
    if (line === '') continue;
    const head = line.slice(0, Math.max(0, line.indexOf(':')));
    const name = head.split(';')[0]!.split('.').at(-1)!.toUpperCase();
    keeping = keep.has(name);
    if (keeping) out.push(line);
  }
  return `${out.join('\r\n')}\r\n`;
}
