import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

/** What a layer may import: itself and the layers inside it, plus Node's own modules. */
function violations(layer: 'domain' | 'application'): string[] {
  const allowed = layer === 'domain' ? ['domain'] : ['domain', 'application'];
  const root = path.resolve('src', layer);
  const found: string[] = [];
  for (const file of sourceFiles(root)) {
    for (const spec of imports(file)) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        found.push(`${path.relative('.', file)} imports package ${spec}`);
        continue;
      }
      const target = path.relative(path.resolve('src'), path.resolve(path.dirname(file), spec)).split(path.sep)[0];
      if (!allowed.includes(target!)) found.push(`${path.relative('.', file)} imports ${spec}`);
    }
  }
  return found;
}

test('the domain imports nothing but itself and Node built-ins', (t) => {
  t.deepEqual(violations('domain'), []);
});

test('the application imports only the domain, itself and Node built-ins', (t) => {
  t.deepEqual(violations('application'), []);
});

test('the rule catches a forbidden import', (t) => {
  t.regex(imports('src/infrastructure/container.ts').join(' '), /adapters/);
  t.true(imports('src/adapters/http/app.ts').includes('koa'));
});

test('only the config module reads process.env', (t) => {
  const readers = sourceFiles(path.resolve('src'))
    .filter((file) => readFileSync(file, 'utf8').includes('process.env'))
    .map((file) => path.relative('.', file));
  t.deepEqual(readers, [path.join('src', 'infrastructure', 'config.ts')]);
});
