import test from 'ava';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { randomUUID } from 'node:crypto';
import { IcalContactCardFormat } from '../../../src/adapters/vcard/ical-contact-card-format.js';
import { parseContentLine, scanCards } from '../../../src/adapters/vcard/vcard-content-lines.js';
import { type Contact, EMPTY_CONTACT_FIELDS } from '../../../src/domain/contact.js';

const format = new IcalContactCardFormat();

function contact(overrides: Partial<Contact>): Contact {
  return {
    ...EMPTY_CONTACT_FIELDS,
    id: randomUUID(),
    userId: randomUUID(),
    version: 1,
    photo: null,
    card: null,
    firstName: 'Ann',
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:11:12.345Z',
    ...overrides,
  };
}

/** The property names of each card, as our own reader and ical.js find them. */
function propertyNames(text: string) {
  const ours = [...scanCards(text)].flatMap((card) => (card === null ? [] : [card.lines.map((l) => parseContentLine(l)?.name ?? '?')]));
  const parsed = ICAL.parse(text) as unknown as ['vcard', [string, unknown, string, unknown][]];
  return { ours, ical: parsed[1].map(([name]) => name.toUpperCase()) };
}

/** Line breaks, however written, come back as \n. */
const breaksAsLf = (value: string) => value.replace(/\r\n|\r/g, '\n');

/** A name as the reader makes a field of it: one line (breaks as `, `, tabs as spaces), at most 50 code points. */
const asNameField = (value: string) => {
  const line = value.replace(/[ \t]*\n+[ \t]*/g, ', ').replace(/\t/g, ' ');
  const points = [...line];
  return points.length <= 50 ? line : points.slice(0, 50).join('').trim();
};

/** ical.js leaves `\;` in plain (non-compound) text values; see ical-contact-card-format.test.ts. */
const icalText = (value: unknown) => String(value).replaceAll('\\;', ';');

test('notes holding a bare CR, an LF or CRLF before "EMAIL:" export as one NOTE: no extra property in either version', async (t) => {
  for (const notes of ['x\rEMAIL:evil@example.com', 'x\nEMAIL:evil@example.com', 'x\r\nEMAIL:evil@example.com\r', 'x\r\rTEL:1\\']) {
    for (const version of ['4.0', '3.0'] as const) {
      const text = format.write(contact({ notes }), version);
      t.false(/[\r\n](EMAIL|TEL)/.test(text), JSON.stringify(text));
      t.deepEqual(propertyNames(text).ours, [['VERSION', 'UID', 'FN', 'N', 'NOTE', 'REV']]);
      const [card] = await format.read(Buffer.from(text), 10);
      t.is(card!.fields!.notes, breaksAsLf(notes).trim());
      t.deepEqual(card!.fields!.emails, []);
    }
  }
});

test('a name part ending in a backslash or holding ; and , reads back whole (ical.js alone splits N wrongly there)', async (t) => {
  const c = contact({ firstName: 'Ends with\\', lastName: 'Semi;colon\\;, comma\\' });
  for (const version of ['4.0', '3.0'] as const) {
    const [card] = await format.read(Buffer.from(format.write(c, version)), 10);
    t.like(card!.fields, { firstName: c.firstName, lastName: c.lastName });
  }
});

/** Any text, weighted towards what a vCard writer must escape. */
const awkward = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('\r', '\n', '\r\n', '\\', ',', ';', ':', '=', '"', ' ', 'a', 'é', '𠮷', '\u0000', 'n', 'N'), maxLength: 80 }),
);

test('property: any text in the name parts and notes exports, in both versions, as a card that our reader and ical.js read back the same, with no extra property', async (t) => {
  await fc.assert(
    fc.asyncProperty(awkward, awkward, awkward, fc.constantFrom('4.0' as const, '3.0' as const), async (first, last, note, version) => {
      // Letters at both ends: an import trims, and that is not what is tested here.
      const c = contact({ firstName: `A${first}Z`, lastName: `B${last}Y`, notes: `C${note}X` });
      const text = format.write(c, version);
      for (const line of text.split('\r\n')) if (Buffer.byteLength(line) > 75) return false;
      const names = propertyNames(text);
      const expected = ['VERSION', 'UID', 'FN', 'N', 'NOTE', 'REV'];
      if (JSON.stringify(names.ours) !== JSON.stringify([expected]) || JSON.stringify(names.ical) !== JSON.stringify(expected)) return false;

      const [card] = await format.read(Buffer.from(text), 10);
      const fields = card!.fields!;
      const want = { firstName: breaksAsLf(c.firstName), lastName: breaksAsLf(c.lastName), notes: breaksAsLf(c.notes!) };
      if (fields.firstName !== asNameField(want.firstName) || fields.lastName !== asNameField(want.lastName) || fields.notes !== want.notes) return false;

      const props = (ICAL.parse(text) as unknown as ['vcard', [string, unknown, string, unknown][]])[1];
      const value = (name: string) => props.find(([n]) => n === name)![3];
      return (
        icalText(value('note')) === want.notes &&
        icalText(value('fn')) === `${want.firstName} ${want.lastName}` &&
        JSON.stringify(value('n')) === JSON.stringify([want.lastName, want.firstName, '', '', ''])
      );
    }),
    { numRuns: 400 },
  );
  t.pass();
});
