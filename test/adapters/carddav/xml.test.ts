import test from 'ava';
import { escapeXml } from '../../../src/adapters/carddav/xml.js';

test('escapeXml escapes the five special characters wherever they are, call after call', (t) => {
  // The same text twice in a row: a global pattern's position must not carry over between calls.
  for (let i = 0; i < 2; i++) t.is(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
  t.is(escapeXml(`${'x'.repeat(50)}&`), `${'x'.repeat(50)}&amp;`);
  t.is(escapeXml('&'), '&amp;');
});

test('escapeXml gives text without special characters back unchanged', (t) => {
  for (const text of ['', '12', '/dav/addressbooks/u/contacts/a%20b.vcf', 'urn:x-contacts-sync:v2.abc']) t.is(escapeXml(text), text);
});
