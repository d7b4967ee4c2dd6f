import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { type BenchResults, markdownReport } from '../../bench/report.js';

// docs/benchmark.md shows the last full run as bench/report.ts renders bench/results/latest.json, so
// its figures are generated, never typed. UPDATE_DOCS=1 rewrites the block after a run.

const DOC = 'docs/benchmark.md';
const BLOCK = /(<!-- figures:start -->\n)([\s\S]*?)(<!-- figures:end -->)/;

/** The report with its headings moved one level down, under the page's "## Latest figures". */
function renderedFigures(): string {
  const results = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as BenchResults;
  return `${markdownReport(results)
    .trim()
    .replace(/^(#{2,5}) /gm, '#$1 ')}\n`;
}

test('docs/benchmark.md shows the figures of bench/results/latest.json as the report renders them', (t) => {
  const doc = readFileSync(DOC, 'utf8');
  t.regex(doc, BLOCK, 'docs/benchmark.md keeps the figures:start / figures:end markers');
  const expected = renderedFigures();
  if (process.env.UPDATE_DOCS === '1') {
    writeFileSync(
      DOC,
      doc.replace(BLOCK, (_all, start: string, _old, end: string) => `${start}${expected}${end}`),
    );
    t.pass();
    return;
  }
  const shown = BLOCK.exec(doc)?.[2];
  t.is(shown, expected, 'regenerate with UPDATE_DOCS=1 npx ava test/docs/benchmark-figures.test.ts');
});
