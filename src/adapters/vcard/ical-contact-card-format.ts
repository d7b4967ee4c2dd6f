import { setImmediate as nextTurn } from 'node:timers/promises';
import ICAL from 'ical.js';
import type { CardRead, ContactCardFormat, VCardVersion } from '../../application/ports/contact-card-format.js';
import { NotAVCardFile, TooManyCards } from '../../domain/contact.errors.js';
import type { Contact } from '../../domain/contact.js';
import { escapeText, foldLine, type ScannedCard, scanCards } from './vcard-content-lines.js';
import { normalizeCard } from './vcard-pre-pass.js';

type JCardProperty = [name: string, params: Record<string, string | string[]>, type: string, ...values: unknown[]];

/** Apple Contacts' stand-in year for a birthday without one (`BDAY;X-APPLE-OMIT-YEAR=1604:1604-05-17`). */
const APPLE_NO_YEAR = '1604';

/** Characters of the file read between two turns of the event loop; a card counts as WORK_PER_CARD more. */
const WORK_PER_TURN = 65_536;
const WORK_PER_CARD = 1_024;

/**
 * vCard files read through ical.js (Mozilla's vCard 3.0 and 4.0 parser, used by Thunderbird) for
 * the values. vcard-content-lines.ts splits the file into cards and lines first, in linear time
 * and within bounds; ical.js does not read vCard 2.1 (bare parameters, quoted-printable, CHARSET),
 * so vcard-pre-pass.ts rewrites such a card as 3.0, and keeps only the properties a contact uses,
 * so that a PHOTO blob or an odd ADR never fails a card. Cards are written line by line here
 * (docs/decisions/vcard-content-lines.md says why not through ical.js).
 */
export class IcalContactCardFormat implements ContactCardFormat {
  async read(file: Uint8Array, maxCards: number): Promise<CardRead[]> {
    // Cards are counted before any is parsed: a file of too many tiny cards costs only the scan.
    const cards: ScannedCard[] = [];
    for (const card of scanCards(decodeText(file), WORK_PER_TURN)) {
      if (card === null) await nextTurn();
      else if (cards.length === maxCards) throw new TooManyCards(maxCards);
      else cards.push(card);
    }
    if (cards.length === 0) throw new NotAVCardFile();
    const read: CardRead[] = [];
    let work = 0;
    for (const card of cards) {
      // Other requests get in after every slice of work, counted in characters and cards parsed.
      work += card.size + WORK_PER_CARD;
      if (work >= WORK_PER_TURN) {
        work = 0;
        await nextTurn();
      }
      read.push(readCard(card));
    }
    return read;
  }

  write(contact: Contact, version: VCardVersion): string {
    const v4 = version === '4.0';
    const text = escapeText;
    const lines = [
      'BEGIN:VCARD',
      `VERSION:${version}`,
      `UID:${text(contact.id)}`,
      `FN:${text([contact.firstName, contact.lastName].filter(Boolean).join(' '))}`,
      `N:${[contact.lastName, contact.firstName, '', '', ''].map(text).join(';')}`,
    ];
    if (contact.email !== null) lines.push(`EMAIL${v4 ? '' : ';TYPE=internet'}:${text(contact.email)}`);
    if (contact.phone !== null) lines.push(`TEL${v4 ? ';VALUE=TEXT' : ''}:${text(contact.phone)}`);
    if (contact.birthday !== null) {
      const yearless = contact.birthday.startsWith('--');
      const digits = contact.birthday.replaceAll('-', '');
      if (v4 && yearless) lines.push(`BDAY;VALUE=DATE:--${digits}`);
      else if (!yearless) lines.push(`BDAY;VALUE=DATE:${digits}`);
      // vCard 3.0 has no day without a year; Apple's convention is what address books read.
      else lines.push(`BDAY;X-APPLE-OMIT-YEAR=${APPLE_NO_YEAR};VALUE=DATE:${APPLE_NO_YEAR}${digits}`);
    }
    if (contact.notes !== null) lines.push(`NOTE:${text(contact.notes)}`);
    lines.push(`REV:${contact.updatedAt.slice(0, 19).replace(/[-:]/g, '')}Z`, 'END:VCARD');
    return lines.map(foldLine).join('');
  }
}

/** UTF-8 (a BOM dropped); bytes that are not UTF-8 are read as Windows-1252, as old exports are. */
function decodeText(file: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(file);
  } catch {
    return new TextDecoder('windows-1252').decode(file);
  }
}

function readCard(card: ScannedCard): CardRead {
  const normalized = normalizeCard(card);
  if ('problem' in normalized) return { name: null, fields: null, problem: normalized.problem };
  let props: JCardProperty[];
  try {
    const parsed = ICAL.parse(normalized.text) as unknown as ['vcard', JCardProperty[], unknown[]];
    props = parsed[1];
  } catch {
    return { name: null, fields: null, problem: 'the card is malformed and could not be read' };
  }
  const all = (name: string) => props.filter((p) => p[0] === name);
  const text = (p: JCardProperty | undefined) => (p === undefined ? '' : flat(p.slice(3)).trim());

  const fn = text(all('fn')[0]);
  const family = (normalized.n?.[0] ?? '').trim();
  const given = (normalized.n?.[1] ?? '').trim();
  const name = fn || [given, family].filter(Boolean).join(' ') || null;

  let firstName: string;
  let lastName = '';
  if (given) [firstName, lastName] = [given, family];
  else if (fn) firstName = fn;
  else if (family) firstName = family;
  else return { name: null, fields: null, problem: 'the card has no name (FN or N)' };

  const email = preferred(all('email'));
  const phone = preferred(all('tel'));
  const notes = all('note')
    .map((p) => text(p))
    .filter(Boolean)
    .join('\n');
  return {
    name,
    fields: {
      firstName,
      lastName,
      email: email ? text(email).replace(/^mailto:/i, '') : null,
      phone: phone ? phoneOf(text(phone)) : null,
      birthday: birthdayOf(all('bday')[0]),
      notes: notes || null,
    },
  };
}

/** The property marked preferred (4.0 `PREF=1` – lowest wins; 3.0/2.1 `TYPE=pref`), else the first. */
function preferred(props: JCardProperty[]): JCardProperty | undefined {
  const rank = (p: JCardProperty) => {
    const pref = Number(p[1].pref);
    if (Number.isInteger(pref) && pref >= 1) return pref;
    const types = [p[1].type ?? []].flat().map((t) => String(t).toLowerCase());
    return types.includes('pref') ? 1 : 101;
  };
  let best: JCardProperty | undefined;
  for (const p of props) if (!best || rank(p) < rank(best)) best = p;
  return best;
}

/** A number from `tel:` URIs and dotted or slashed forms, as the contact's phone grammar spells it. */
function phoneOf(value: string): string {
  const number = value.replace(/^tel:/i, '');
  const semicolon = number.indexOf(';');
  return (semicolon < 0 ? number : number.slice(0, semicolon)).replace(/[./]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `YYYY-MM-DD` or `--MM-DD` from any of BDAY's forms; other text is passed on for validation to judge. */
function birthdayOf(prop: JCardProperty | undefined): string | null {
  if (!prop) return null;
  const value = flat(prop.slice(3)).trim();
  if (value === '' || prop[2] === 'text') return null;
  const full = /^(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?$/.exec(value);
  if (full) {
    const [, year, month, day] = full;
    const omitYear = prop[1]['x-apple-omit-year'];
    return year === APPLE_NO_YEAR || year === omitYear ? `--${month}-${day}` : `${year}-${month}-${day}`;
  }
  const yearless = /^--(\d{2})-?(\d{2})$/.exec(value);
  if (yearless) return `--${yearless[1]}-${yearless[2]}`;
  return value;
}

/** A jCard value (text, list or structured) as one string. */
function flat(values: unknown[]): string {
  return values
    .flat(2)
    .filter((v) => v !== null && v !== undefined)
    .map(String)
    .join(' ');
}
