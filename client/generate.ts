import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../src/adapters/http/openapi.js';

const ROOT = path.resolve(import.meta.dirname, '..');
export const SCHEMA_FILE = path.join(ROOT, 'client', 'schema.d.ts');

const HEADER = '// Generated from /openapi.json by `npm run client:generate` (openapi-typescript). Do not edit.\n\n';

/** Biome writes it as it writes every file of the repository, so that `npm run lint` passes on it. */
async function formatted(source: string): Promise<string> {
  const child = execFile(path.join(ROOT, 'node_modules', '.bin', 'biome'), ['format', `--stdin-file-path=${SCHEMA_FILE}`], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  child.stdin?.end(source);
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: string) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`biome format exited with ${code}`))));
  });
  return chunks.join('');
}

/** The types of the served document, as `client/schema.d.ts` must hold them. */
export async function generateClientTypes(): Promise<string> {
  const ast = await openapiTS(JSON.parse(JSON.stringify(openApiDocument)));
  return formatted(HEADER + astToString(ast));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await writeFile(SCHEMA_FILE, await generateClientTypes());
  console.log(`wrote ${path.relative(ROOT, SCHEMA_FILE)}`);
}
