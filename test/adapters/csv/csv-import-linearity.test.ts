import test from 'ava';
import fc from 'fast-check';
import { CsvContactFileReader } from '../../../src/adapters/csv/csv-contact-file-reader.js';

const reader = new CsvContactFileReader();

const HEADERS = {
  google:
    'First Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Formatted,Address 1 - Street,Event 1 - Label,Event 1 - Value,Notes,Custom Field 1 - Label,Custom Field 1 - Value',
  outlook: '"First Name","Last Name","Company","E-mail Address","Mobile Phone","Home Street","Birthday","Categories","Notes"',
} as const;

interface Shape {
  layout: keyof typeof HEADERS;
  /** Cells before the repeated part, as written in the row. */
  head: string;
  /** Repeated once per unit of size. */
  unit: string;
  tail: string;
  encoding: 'utf8' | 'latin1';
}

function body(s: Shape, units: number): Buffer {
  return Buffer.from(`${HEADERS[s.layout]}\r\n${s.head}${s.unit.repeat(units)}${s.tail}\r\n`, s.encoding);
}

/**
 * Milliseconds of this process's CPU the fastest of `runs` reads took (a rejected file counts as
 * read). CPU time, not wall time: other test files run beside this one on two cores.
 */
async function fastest(file: Buffer, runs: number): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i += 1) {
    const started = process.cpuUsage();
    await reader.read(file, 100_000).catch(() => undefined);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const BASE_BYTES = 12_000;

/** Time per byte of a body 16 times the base size, over that of the base size (best of five each, interleaved). */
async function growth(s: Shape): Promise<{ ratio: number; large: number; bytes: number }> {
  const units = Math.max(1, Math.ceil(BASE_BYTES / s.unit.length));
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
  return { ratio, large: largeMs, bytes: large.length };
}

const shape: fc.Arbitrary<Shape> = fc.record({
  layout: fc.constantFrom('google', 'outlook'),
  head: fc.constantFrom(
    '',
    'Ann,,Lee,',
    'Ann,,Lee,,,,,,,,Graduation,"a',
    '"Ann","Lee","","","","","a',
    '"Ann","Lee","',
    'Ann,,Lee,"* myContacts',
    ',,,,,,,,',
    '"',
    'a""b,',
  ),
  unit: fc.constantFrom(
    ',',
    ';',
    '\t',
    '"',
    '""',
    '","',
    ' ::: ',
    ':::',
    '* x ::: ',
    '\r\n',
    '\n',
    '\r',
    'Ann,,Lee,,Home,a@b.example,Mobile,555-0100,,,,,n\r\n',
    '"a\r\nb",',
    'x',
    'é',
    '\u20ac',
    '\u00a0',
    '0/0/00,',
    '1/2/2000 ',
    '--12-',
    'www.',
    'a\u0000',
  ),
  tail: fc.constantFrom('', '"', '"x', ',', '\\'),
  encoding: fc.constantFrom('utf8', 'latin1'),
});

const reproduced: Shape[] = [
  // Many rows, each a card to map.
  { layout: 'google', head: '', unit: 'Ann,,Lee,,Home,a@b.example,Mobile,555-0100,,,,,n\r\n', tail: '', encoding: 'utf8' },
  // One cell of many " ::: " separated values.
  { layout: 'google', head: 'Ann,,Lee,"* myContacts', unit: ' ::: ', tail: '"', encoding: 'utf8' },
  // A custom field of many values, each a line to add to the notes (the notes are full after the first few).
  { layout: 'google', head: 'Ann,,Lee,,,,,,,,,,,Rank,"', unit: ' ::: value', tail: '"', encoding: 'utf8' },
  // Whitespace where a date or a line of the notes is read: no pattern may backtrack over it.
  // (between two other characters, so that trimming the cell leaves it in).
  { layout: 'outlook', head: '"Ann","Lee","","","","","a', unit: ' ', tail: '1x"', encoding: 'utf8' },
  { layout: 'google', head: 'Ann,,Lee,,,,,,,,,,,Rank,"a', unit: ' \t', tail: 'x"', encoding: 'utf8' },
  { layout: 'google', head: 'Ann,,Lee,,,,,,,,Anniversary,"a', unit: ' ', tail: '1x"', encoding: 'utf8' },
  // A quoted cell of escaped quotes and line breaks.
  { layout: 'outlook', head: '"Ann","Lee","', unit: '""\r\n', tail: '"', encoding: 'latin1' },
];

test.serial('property: hostile CSV rows (separators, quotes, line breaks, " ::: ", dates, Windows-1252) read in time linear in their size', async (t) => {
  await fc.assert(
    fc.asyncProperty(shape, async (s) => {
      let g = await growth(s);
      // On a loaded machine a measurement can be unlucky; a real quadratic step stays over the bound.
      for (let attempt = 1; attempt < 3 && g.ratio > 3; attempt += 1) g = await growth(s);
      if (g.ratio > 3) throw new Error(`${g.large.toFixed(1)} ms for ${g.bytes} bytes: ${g.ratio.toFixed(2)}× the time per byte of 1/16 the size`);
    }),
    { numRuns: 40, examples: reproduced.map((s) => [s]), endOnFailure: true },
  );
  t.pass();
});
