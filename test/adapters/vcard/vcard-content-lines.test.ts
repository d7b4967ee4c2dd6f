import test from 'ava';
import {
  escapeText,
  foldLine,
  formatParam,
  MAX_LOGICAL_LINE_CHARS,
  MAX_PHYSICAL_LINE_CHARS,
  parseContentLine,
  type ScannedCard,
  scanCards,
  splitValue,
  unescapeText,
} from '../../../src/adapters/vcard/vcard-content-lines.js';

const cardsOf = (text: string) => [...scanCards(text)].filter((c): c is ScannedCard => c !== null);

test('a content line: group, upper-cased name, parameters with several values, the value as written', (t) => {
  t.deepEqual(parseContentLine('item1.email;type=INTERNET,pref;X-Label="Work: main; desk":ann@example.com\\, x'), {
    group: 'item1',
    name: 'EMAIL',
    params: [
      { name: 'TYPE', values: ['INTERNET', 'pref'] },
      { name: 'X-LABEL', values: ['Work: main; desk'] },
    ],
    value: 'ann@example.com\\, x',
  });
  t.deepEqual(parseContentLine('TEL;WORK;VOICE:+1 555'), {
    group: '',
    name: 'TEL',
    params: [
      { name: '', values: ['WORK'] },
      { name: '', values: ['VOICE'] },
    ],
    value: '+1 555',
  });
  t.deepEqual(parseContentLine('NOTE:a:b;c'), { group: '', name: 'NOTE', params: [], value: 'a:b;c' });
  t.deepEqual(parseContentLine('FN:'), { group: '', name: 'FN', params: [], value: '' });
});

test('RFC 6868 caret escapes in parameter values; a lone quote is a character, not an opening', (t) => {
  t.deepEqual(parseContentLine('ADR;LABEL="a^nb ^\'q^\' ^^":;;x')!.params, [{ name: 'LABEL', values: ['a\nb "q" ^'] }]);
  t.deepEqual(parseContentLine('NOTE;X-A=5"inch:v"'), { group: '', name: 'NOTE', params: [{ name: 'X-A', values: ['5"inch'] }], value: 'v"' });
  t.deepEqual(parseContentLine('NOTE;X-A=":v'), { group: '', name: 'NOTE', params: [{ name: 'X-A', values: ['"'] }], value: 'v' });
});

test('a line without a name or without a colon after it is null', (t) => {
  for (const line of ['', 'no colon here', ':value', '.:value', 'TEL;TYPE=work', 'NOTE;X="a:b"']) t.is(parseContentLine(line), null, line);
});

test('cards: folds and quoted-printable soft breaks joined, blank lines dropped, CRLF, LF and a bare CR end lines, nested cards ignored', (t) => {
  const text = [
    'junk before',
    'BEGIN:VCARD',
    'VERSION:2.1',
    'NOTE;ENCODING=QUOTED-PRINTABLE:one=',
    'two=',
    'three',
    'FN:Fol',
    ' ded',
    '',
    'AGENT:',
    'BEGIN:VCARD',
    'FN:Inner',
    'END:VCARD',
    'EMAIL:a@b.c',
    'END:VCARD',
    'begin:vcard',
    'FN:Second\rTEL:1',
  ].join('\r\n');
  const cards = cardsOf(text.replace('EMAIL:a@b.c\r\n', 'EMAIL:a@b.c\n'));
  t.deepEqual(
    cards.map(({ lines, ended }) => ({ lines, ended })),
    [
      { lines: ['VERSION:2.1', 'NOTE;ENCODING=QUOTED-PRINTABLE:onetwothree', 'FN:Folded', 'AGENT:', 'EMAIL:a@b.c'], ended: true },
      { lines: ['FN:Second', 'TEL:1'], ended: false },
    ],
  );
  // A blank line does not end a folded line; a line ending in = that is not quoted-printable is not continued.
  t.deepEqual(cardsOf('BEGIN:VCARD\r\nNOTE:a\r\n\r\n b\r\nFN:c\r\nEND:VCARD\r\n')[0]!.lines, ['NOTE:ab', 'FN:c']);
  t.deepEqual(cardsOf('BEGIN:VCARD\r\nNOTE:a=\r\nFN:b\r\nEND:VCARD\r\n')[0]!.lines, ['NOTE:a=', 'FN:b']);
});

test('a physical or an unfolded line over its bound gives the card a problem and leaves the next card alone', (t) => {
  const next = 'BEGIN:VCARD\r\nFN:Next\r\nEND:VCARD\r\n';
  const physical = cardsOf(`BEGIN:VCARD\r\nFN:A\r\nNOTE:${'x'.repeat(MAX_PHYSICAL_LINE_CHARS)}\r\nEND:VCARD\r\n${next}`);
  t.is(physical[0]!.problem, `a line of the card is longer than ${MAX_PHYSICAL_LINE_CHARS} characters`);
  t.deepEqual(physical[1]!.lines, ['FN:Next']);
  const folded = `NOTE:x\r\n${` ${'y'.repeat(1000)}\r\n`.repeat(Math.ceil(MAX_LOGICAL_LINE_CHARS / 1000))}`;
  const logical = cardsOf(`BEGIN:VCARD\r\nFN:A\r\n${folded}END:VCARD\r\n${next}`);
  t.is(logical[0]!.problem, `a line of the card, unfolded, is longer than ${MAX_LOGICAL_LINE_CHARS} characters`);
  t.deepEqual(logical[1]!.lines, ['FN:Next']);
});

test('scanning pauses (yields null) about every pauseEvery characters, and counts each card’s size', (t) => {
  const card = 'BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n';
  const items = [...scanCards(card.repeat(100), 300)];
  t.is(items.filter((i) => i === null).length, Math.floor((card.length * 100) / 300));
  t.true(items.filter((i) => i !== null).every((c) => c!.size === card.length));
});

test('text escapes: every line break is \\n, backslash, comma and semicolon are escaped, and unescaping gives the text back', (t) => {
  t.is(escapeText('a\r\nb\rc\nd\\e,f;g:h'), 'a\\nb\\nc\\nd\\\\e\\,f\\;g:h');
  // Lenient, as the best readers are: a backslash before any other character is that character.
  t.is(unescapeText('a\\nb\\Nc\\\\n\\,\\;\\:\\"x\\'), 'a\nb\nc\\n,;:"x\\');
  t.deepEqual(splitValue('a\\;b;c\\\\;d,e', ';'), ['a\\;b', 'c\\\\', 'd,e']);
  // A limit keeps the first parts and leaves the rest out, as String.split does.
  t.deepEqual(splitValue('a;b\\;c;d;e', ';', 2), ['a', 'b\\;c']);
  t.deepEqual(splitValue(`${';'.repeat(100_000)}x`, ';', 5), ['', '', '', '', '']);
  t.deepEqual(splitValue('a;b', ';', 5), ['a', 'b']);
});

test('parameter values are written back with RFC 6868 escapes and quoted when they hold a separator, and read back the same', (t) => {
  const values = ['a^b', 'say "hi"', 'two\r\nlines\rand\nmore', 'x,y;z:w', 'plain'];
  const written = formatParam({ name: 'X-P', values });
  t.is(written, 'X-P=a^^b,say ^\'hi^\',two^nlines^nand^nmore,"x,y;z:w",plain');
  t.deepEqual(parseContentLine(`NOTE;${written}:v`)!.params, [{ name: 'X-P', values: ['a^b', 'say "hi"', 'two\nlines\nand\nmore', 'x,y;z:w', 'plain'] }]);
});

test('folding: lines of at most 75 octets with the leading space, never inside a character or an escape', (t) => {
  const line = `NOTE:${'é'.repeat(40)}${'\\n'.repeat(40)}${'𠮷'.repeat(30)}`;
  const folded = foldLine(line);
  t.true(folded.endsWith('\r\n'));
  const physical = folded.slice(0, -2).split('\r\n');
  for (const p of physical) t.true(Buffer.byteLength(p) <= 75, p);
  for (const p of physical.slice(1)) t.true(p.startsWith(' ') && !p.startsWith(' n') && !/^ [\uDC00-\uDFFF]/.test(p), p);
  t.is(physical.map((p, i) => (i === 0 ? p : p.slice(1))).join(''), line);
});
