import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  allCards,
  type CardRead,
  type CarriedImage,
  type ContactCardFormat,
  type GroupCard,
  type VCardVersion,
} from '../../application/ports/contact-card-format.js';
import { NotAVCardFile, TooManyCards } from '../../domain/contact.errors.js';
import { type CardProperty, type Contact, LABEL_MAX, LABELS_MAX, uniqueLabels } from '../../domain/contact.js';
import { cardFields } from './vcard-card-fields.js';
import { writeCard, writeGroupCard } from './vcard-card-writer.js';
import { type ContentLine, MAX_CARD_PARAM_VALUES, parseContentLine, type ScannedCard, scanCards, unescapeText } from './vcard-content-lines.js';
import { type KeptProperty, keptProperty, type TextMode } from './vcard-pre-pass.js';

/** Characters of the file read between two turns of the event loop; a card counts as WORK_PER_CARD more. */
const WORK_PER_TURN = 16_384;
const WORK_PER_CARD = 1_024;

/** Properties a card's writer sets itself: not kept. */
const NOT_KEPT = new Set(['VERSION', 'PRODID', 'REV']);

/**
 * vCard 2.1, 3.0 and 4.0 files, read and written losslessly (docs/decisions/vcard-lossless.md).
 * vcard-content-lines.ts splits a file into cards and lines and a line into group, name,
 * parameters and value, in linear time and within bounds; vcard-pre-pass.ts turns each line into
 * a kept property (quoted-printable and CHARSET decoded, 2.1 written as 3.0); vcard-card-fields.ts
 * reads the contact's fields from those properties, and vcard-card-writer.ts writes them back.
 * (The class kept its name from when ical.js read the values; ical.js now only checks, in the
 * tests, that what is written reads back in a strict parser.)
 */
export class IcalContactCardFormat implements ContactCardFormat {
  read(file: Uint8Array, maxCards: number): Promise<CardRead[]> {
    return allCards(this.readBatches(file, maxCards, maxCards));
  }

  async *readBatches(file: Uint8Array, maxCards: number, batchSize: number): AsyncGenerator<CardRead[]> {
    const { text, mode } = decodeFile(file);
    // A first scan counts the cards before any is parsed (a file of too many tiny cards costs only
    // the scan) and reads the group cards, which may come after their members; the second reads
    // the cards as the batches are asked for, so that no more than a batch of them is held.
    const labels = new Map<string, string[]>();
    let count = 0;
    for (const card of scanCards(text, WORK_PER_TURN)) {
      if (card === null) await nextTurn();
      else if (count === maxCards) throw new TooManyCards(maxCards);
      else {
        count += 1;
        if (mayBeGroup(card)) addGroupLabels(readCard(card, mode), labels);
      }
    }
    if (count === 0) throw new NotAVCardFile();
    let batch: CardRead[] = [];
    let work = 0;
    for (const card of scanCards(text, WORK_PER_TURN)) {
      if (card === null) continue;
      // Other requests get in after every slice of work, counted in characters and cards parsed.
      work += card.size + WORK_PER_CARD;
      if (work >= WORK_PER_TURN) {
        work = 0;
        await nextTurn();
      }
      const read = readCard(card, mode);
      labelMember(read, labels);
      batch.push(read);
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  write(contact: Contact, version: VCardVersion, photo?: CarriedImage | null): string {
    return writeCard(contact, version, photo);
  }

  writeGroup(group: GroupCard, memberUids: readonly string[], version: VCardVersion): string {
    return writeGroupCard(group, memberUids, version);
  }
}

/**
 * UTF-8 (a BOM dropped) when the whole file is; otherwise one character per byte, so that each
 * value can be decoded in its own CHARSET (a 2.1 file mixes them), else as UTF-8 or Windows-1252.
 */
function decodeFile(file: Uint8Array): { text: string; mode: TextMode } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(file), mode: 'utf-8' };
  } catch {
    return { text: Buffer.from(file.buffer, file.byteOffset, file.byteLength).toString('latin1'), mode: 'bytes' };
  }
}

function readCard(card: ScannedCard, mode: TextMode): CardRead {
  if (card.problem !== undefined) return { name: null, fields: null, problem: card.problem };
  if (!card.ended) return { name: null, fields: null, problem: 'the card has no END:VCARD' };
  const lines: ContentLine[] = [];
  let paramValues = 0;
  for (const text of card.lines) {
    const line = parseContentLine(text, MAX_CARD_PARAM_VALUES - paramValues);
    if (line === null) continue;
    if (line.tooManyParams) return { name: null, fields: null, problem: `the card has more than ${MAX_CARD_PARAM_VALUES} parameter values` };
    for (const p of line.params) paramValues += p.values.length;
    lines.push(line);
  }
  const version = lines.find((l) => l.name === 'VERSION')?.value.trim() ?? '3.0';
  if (!['2.1', '3.0', '4.0'].includes(version)) return { name: null, fields: null, problem: `vCard version ${version.slice(0, 10)} is not supported` };

  let uid: string | null = null;
  let photo: CarriedImage | null = null;
  let photoProperty: CardProperty | null = null;
  const properties: CardProperty[] = [];
  for (const line of lines) {
    if (NOT_KEPT.has(line.name)) continue;
    const kept = keptProperty(line, version === '2.1', mode);
    if (kept.name === 'UID') {
      uid ??= unescapeText(kept.value).trim() || null;
      continue;
    }
    const { base64: _, ...property } = kept;
    if (kept.name === 'PHOTO' && photo === null) {
      photo = imageOf(kept);
      if (photo !== null) {
        photoProperty = property;
        continue;
      }
    }
    properties.push(property);
  }
  const kept = { uid, properties };
  const read = cardFields(properties);
  if (read.group !== null) {
    const name = read.name ?? 'a group';
    return {
      name,
      fields: null,
      problem: `a group card, not a contact: its members in this file get the label “${name}”`,
      card: kept,
      group: { name, members: read.group.members },
    };
  }
  if (!read.named) return { name: null, fields: null, problem: 'the card has neither a name nor an organization', card: kept };
  return { name: read.name, fields: { ...read.fields }, card: kept, photo, photoProperty };
}

/** The image of a PHOTO in base64 (3.0 `ENCODING=b`, 2.1 `ENCODING=BASE64`) or a `data:` URI; null for a link or anything else. */
function imageOf(p: KeptProperty): CarriedImage | null {
  if (p.base64) {
    const bytes = Buffer.from(p.value, 'base64');
    if (bytes.length === 0) return null;
    const type =
      p.params
        .find((q) => q.name === 'TYPE' || q.name === 'MEDIATYPE')
        ?.values[0]?.trim()
        .toLowerCase() ?? '';
    return { bytes, mediaType: type === '' ? null : type.includes('/') ? type : `image/${type}` };
  }
  const head = /^data:([^,;]{0,100})((?:\\?;[^,;]{0,100}){0,5})\\?,/i.exec(p.value.slice(0, 400));
  if (!head || !/;base64$/i.test(head[2]!.replaceAll('\\', ''))) return null;
  const bytes = Buffer.from(p.value.slice(head[0].length), 'base64');
  return bytes.length === 0 ? null : { bytes, mediaType: head[1]!.trim().toLowerCase() || null };
}

const memberKey = (uid: string) => uid.replace(/^urn:uuid:/i, '').toLowerCase();

/** Whether a card may be a group card: one of its properties has KIND in its name (a cheap superset, the card's reading decides). */
function mayBeGroup(card: ScannedCard): boolean {
  return card.lines.some((line) => {
    const colon = line.indexOf(':');
    return /kind/i.test(colon === -1 ? line : line.slice(0, colon));
  });
}

/**
 * Group cards (`KIND:group`, Apple's `X-ADDRESSBOOKSERVER-KIND:group`) are no contacts: their
 * members found in the same file (by UID, `urn:uuid:` or not) get the group's name as a label.
 * Adds a group card's label to each of its member UIDs', in the order of the group cards in the file.
 */
function addGroupLabels(read: CardRead, labels: Map<string, string[]>): void {
  const label = read.group ? [...read.group.name].slice(0, LABEL_MAX).join('').trim() : '';
  if (label === '') return;
  for (const member of read.group!.members) {
    const key = memberKey(member);
    const held = labels.get(key);
    if (held) held.push(label);
    else labels.set(key, [label]);
  }
}

/** A contact card's labels with those of the groups of the file naming it as a member. */
function labelMember(read: CardRead, labels: ReadonlyMap<string, string[]>): void {
  if (!read.card?.uid || !read.fields) return;
  const more = labels.get(memberKey(read.card.uid));
  if (more) read.fields.labels = uniqueLabels([...(read.fields.labels as string[]), ...more]).slice(0, LABELS_MAX);
}
