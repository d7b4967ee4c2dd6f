import test from 'ava';
import fc from 'fast-check';
import { IcalContactCardFormat } from '../../../src/adapters/vcard/ical-contact-card-format.js';
import { type Contact, EMPTY_CONTACT_FIELDS } from '../../../src/domain/contact.js';

const format = new IcalContactCardFormat();

interface Shape {
  version: string;
  /** The property's name and fixed parameters, e.g. `NOTE;ENCODING=QUOTED-PRINTABLE`. */
  head: string;
  /** Repeated `paramRepeat` times per unit of size, in one parameter of the head. */
  paramUnit: string;
  paramRepeat: number;
  /** Repeated once per unit of size in the value. */
  valueUnit: string;
  tail: string;
  /** The body as one byte per character (not UTF-8 when it holds `é`), so that every value is decoded on its own. */
  latin1?: boolean;
}

function body(s: Shape, units: number): Buffer {
  const param = s.paramRepeat > 0 ? `;X-P=${s.paramUnit.repeat(units * s.paramRepeat)}` : '';
  const text = `BEGIN:VCARD\r\nVERSION:${s.version}\r\nFN:A\r\n${s.head}${param}:${s.valueUnit.repeat(units)}${s.tail}\r\nEND:VCARD\r\n`;
  return Buffer.from(text, s.latin1 ? 'latin1' : 'utf8');
}

/** The contact an import would make of a card (unvalidated: only the writer's work is measured), with the card kept. */
function contactOf(fields: Record<string, unknown>, card: Contact['card']): Contact {
  return {
    ...EMPTY_CONTACT_FIELDS,
    ...(fields as Partial<Contact>),
    id: 'id',
    userId: 'user',
    version: 1,
    photo: null,
    card,
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:00:00.000Z',
  };
}

/**
 * Milliseconds of this process's CPU the fastest of `runs` reads took. CPU time, not wall time: ava
 * runs other test files beside this one on two cores, and a read waiting for a core is not slower.
 */
async function fastest(file: Buffer, runs: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) {
    const started = process.cpuUsage();
    const [card] = await format.read(file, 10);
    // Writing the card back (every property kept, some mapped) is measured with the reading.
    if (card?.fields) {
      const contact = contactOf(card.fields, card.card ?? null);
      format.write(contact, '4.0');
      format.write({ ...contact, firstName: 'Changed', emails: [], labels: ['New'] }, '3.0');
    }
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const BASE_BYTES = 12_000;

/** Time per byte of a body 16 times the base size, over that of the base size (best of five each, interleaved). */
async function growth(s: Shape): Promise<{ ratio: number; small: number; large: number; bytes: number }> {
  const unitBytes = s.valueUnit.length + s.paramUnit.length * s.paramRepeat;
  const units = Math.max(1, Math.ceil(BASE_BYTES / unitBytes));
  const small = body(s, units);
  const large = body(s, units * 16);
  await fastest(small, 2);
  let smallMs = Number.POSITIVE_INFINITY;
  let largeMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round += 1) {
    smallMs = Math.min(smallMs, await fastest(small, 2));
    largeMs = Math.min(largeMs, await fastest(large, 1));
  }
  // A floor of a fifth of a millisecond for the small body, so that timer resolution is no failure.
  const ratio = largeMs / large.length / (Math.max(smallMs, 0.2) / small.length);
  return { ratio, small: smallMs, large: largeMs, bytes: large.length };
}

const shape: fc.Arbitrary<Shape> = fc.record({
  version: fc.constantFrom('2.1', '3.0', '4.0'),
  head: fc.constantFrom(
    'NOTE',
    'NOTE;ENCODING=QUOTED-PRINTABLE',
    'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE',
    'TEL;VALUE=text',
    'TEL;TYPE=WORK;PREF',
    'N',
    'FN',
    'EMAIL;TYPE="a,b"',
    'item1.X-ABLABEL',
    'PHOTO;ENCODING=b',
    'PHOTO;ENCODING=BASE64;TYPE=JPEG',
    'PHOTO',
    'N;CHARSET=SHIFT_JIS',
    'ADR;HOME;CHARSET=ISO-8859-2;ENCODING=QUOTED-PRINTABLE',
    'item1.ADR;TYPE=work',
    'item1.EMAIL',
    'item2.X-ABDATE',
    'CATEGORIES',
    'ORG',
    'NICKNAME',
    'X-ADDRESSBOOKSERVER-MEMBER',
  ),
  paramUnit: fc.constantFrom('X', ';', ',', ':', '"', '"a;b:c"', '\\', '=', 'a=b;', 'PREF=1;', 'TYPE=x,y;', '^n'),
  paramRepeat: fc.constantFrom(0, 1, 2),
  valueUnit: fc.constantFrom(
    ';',
    ',',
    ':',
    '\\n',
    '\\\\',
    '\\;',
    '\\,',
    'a=\r\n',
    '=\r\n',
    '=C3=A9=\r\n',
    'ab\r\n c',
    '\r\n\t',
    'BEGIN:VCARD\r\n',
    'END:VCARD\r\n',
    '\u0000',
    ' \t ',
    'a \t=20 ',
    '\r',
    'x\rN:y',
    ';\\',
    'é',
    'data:image/png;base64,',
    '_$!<Home>!$_',
    '\r\nitem1.X-ABLabel:x\r\nitem1.TEL:1234567\r\n',
    '\r\nEMAIL;PREF=1:a@b.example\r\nCATEGORIES:a,b\r\n',
  ),
  tail: fc.constantFrom('', '\\nx', '\\', '=', '"'),
  latin1: fc.boolean(),
});

/** The two inputs reproduced in issue 25: a long parameter before many soft line breaks, and semicolons before an escaped newline. */
const reproduced: Shape[] = [
  { version: '2.1', head: 'NOTE;ENCODING=QUOTED-PRINTABLE', paramUnit: 'X', paramRepeat: 2, valueUnit: 'a=\r\n', tail: '' },
  { version: '3.0', head: 'TEL;VALUE=text', paramUnit: '', paramRepeat: 0, valueUnit: ';', tail: '\\nx' },
];

/**
 * Shapes that once grew faster than their size: tens of thousands of 2.1 parameters (each a few
 * objects kept from reading to writing), a name of nothing but semicolons, an address of escapes.
 */
const onceSlow: Shape[] = [
  { version: '2.1', head: 'FN', paramUnit: 'a=b;', paramRepeat: 2, valueUnit: '\u0000', tail: '\\', latin1: false },
  { version: '3.0', head: 'N', paramUnit: '', paramRepeat: 0, valueUnit: ';', tail: '\\' },
  { version: '2.1', head: 'item1.ADR;TYPE=work', paramUnit: '', paramRepeat: 0, valueUnit: '\\,', tail: '\\' },
  { version: '3.0', head: 'TEL;TYPE=WORK;PREF', paramUnit: '', paramRepeat: 0, valueUnit: 'x\rN:y', tail: '\\' },
  // Blanks with no line break among them: the one-line fields' line-break pattern backtracked over them (16 s for 192 kB).
  { version: '2.1', head: 'CATEGORIES', paramUnit: ':', paramRepeat: 2, valueUnit: ' \t ', tail: '\\nx', latin1: true },
];

test.serial('the two reproduced hostile cards take time in proportion to their size (16× the size, at most 3× the time per byte)', async (t) => {
  for (const s of reproduced) {
    let g = await growth(s);
    if (g.ratio > 3) g = await growth(s);
    t.true(g.ratio <= 3, `${JSON.stringify(s)}: ${g.large.toFixed(1)} ms for ${g.bytes} bytes, ${g.ratio.toFixed(2)}× the time per byte of 1/16 the size`);
  }
});

test.serial(
  'property: pathological cards (long parameters, folds, soft breaks, separators, escapes, quotes, nesting, NUL, bare CR) read in time linear in their size',
  async (t) => {
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        let g = await growth(s);
        // On a loaded machine a measurement can be unlucky; a real quadratic step stays over the bound.
        for (let attempt = 1; attempt < 3 && g.ratio > 3; attempt += 1) g = await growth(s);
        if (g.ratio > 3) throw new Error(`${g.large.toFixed(1)} ms for ${g.bytes} bytes: ${g.ratio.toFixed(2)}× the time per byte of 1/16 the size`);
      }),
      { numRuns: 40, examples: [...reproduced, ...onceSlow].map((s) => [s]), endOnFailure: true },
    );
    t.pass();
  },
);
