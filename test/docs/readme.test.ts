import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// The README stays a front page (what it is, the two commands, configuration, security in short,
// links into docs/); the detail lives in docs/, and no link between them may dangle.

const ROOT = process.cwd();
const README_MAX_LINES = 300;

const markdownIn = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(dir, name));

const documents = ['README.md', ...markdownIn('docs'), ...markdownIn('docs/decisions')];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

/** Links of inline form `[text](target)`, outside code blocks and code spans. */
function linksOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/^```[\s\S]*?^```/gm, '')
    .replace(/`[^`\n]*`/g, '``');
  return [...text.matchAll(/\]\(([^()\s]+)\)/g)].map((m) => m[1]!);
}

test(`README.md has at most ${README_MAX_LINES} lines`, (t) => {
  const lines = readFileSync('README.md', 'utf8').trimEnd().split('\n').length;
  t.true(lines <= README_MAX_LINES, `README.md has ${lines} lines; move detail into docs/`);
});

test('the README links to the API guide, deploying, benchmark, architecture and security pages', (t) => {
  const links = new Set(linksOf('README.md').map((link) => link.split('#')[0]));
  for (const page of ['docs/api-guide.md', 'docs/deploying.md', 'docs/benchmark.md', 'docs/architecture.md', 'docs/security.md']) {
    t.true(links.has(page), `README.md links to ${page}`);
  }
});

test('every relative link in README.md and docs/ points to a file (and a heading) that exists', (t) => {
  const broken: string[] = [];
  for (const doc of documents) {
    for (const link of linksOf(doc)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
      const [target = '', anchor] = link.split('#');
      const resolved = target === '' ? path.resolve(doc) : path.resolve(path.dirname(doc), decodeURIComponent(target));
      // The contract and the style guide sit beside the repository, not in a clone of it.
      if (path.relative(ROOT, resolved).startsWith('..')) continue;
      if (!existsSync(resolved)) {
        broken.push(`${doc}: ${link} (no such file)`);
        continue;
      }
      if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
        broken.push(`${doc}: ${link} (no such heading)`);
      }
    }
  }
  t.deepEqual(broken, []);
});
