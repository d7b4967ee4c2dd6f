import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { openApiDocument } from '../../src/adapters/http/openapi.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
// Both linters run on this machine alone: no telemetry, no update check, only built-in rulesets.
const OFFLINE_ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_UPDATE_NOTIFIER: '1' };

let dir: string;
let documentFile: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'openapi-lint-'));
  documentFile = path.join(dir, 'openapi.json');
  // What GET /openapi.json answers: the document as JSON.
  await writeFile(documentFile, JSON.stringify(openApiDocument, null, 2));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The CLIs exit non-zero when they find problems; their report is still written. */
async function output(file: string, args: string[]): Promise<string> {
  try {
    return (await run(file, args, { cwd: ROOT, env: OFFLINE_ENV, timeout: 50_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const { code, stdout } = error as { code?: unknown; stdout?: string };
    if (typeof code === 'number') return stdout ?? '';
    throw error;
  }
}

test("the served document passes Redocly's recommended rules with no error and no warning", async (t) => {
  const report = JSON.parse(await output(bin('redocly'), ['lint', '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json', documentFile])) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string; location?: { pointer?: string }[] }[];
  };
  const problems = report.problems.map((p) => `${p.ruleId} at ${p.location?.[0]?.pointer ?? '?'}: ${p.message}`);
  t.deepEqual(problems, []);
  t.is(report.totals.errors, 0);
  t.is(report.totals.warnings, 0);
});

test("the served document passes Spectral's spectral:oas rules with no warning", async (t) => {
  // Its JSON goes to a file: on stdout Spectral appends a sentence to an empty list.
  const reportFile = path.join(dir, 'spectral.json');
  await output(bin('spectral'), [
    'lint',
    '--ruleset',
    path.join(ROOT, '.spectral.yaml'),
    '--format',
    'json',
    '--output',
    reportFile,
    '--fail-severity',
    'hint',
    documentFile,
  ]);
  const results = JSON.parse(await readFile(reportFile, 'utf8')) as { code: string; message: string; path: string[] }[];
  t.deepEqual(
    results.map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`),
    [],
  );
});
