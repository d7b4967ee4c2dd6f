import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The dependency rule of STYLE.md, checked on the import statements of src/ (type-only imports
 * included): domain ← application ← adapters ← infrastructure, never the other way, plus no
 * import cycle anywhere in src/; inside adapters, no room imports another but through a port (or a
 * listed crossing), and no code picks behaviour by asking which adapter it was given.
 */

type Layer = 'domain' | 'application' | 'adapters' | 'infrastructure';

/** What each layer may import besides Node's own modules: layers, and whether npm packages are allowed. */
const RULES: Record<Layer, { layers: readonly string[]; packages: boolean }> = {
  domain: { layers: ['domain'], packages: false },
  application: { layers: ['domain', 'application'], packages: false },
  adapters: { layers: ['domain', 'application', 'adapters'], packages: true },
  // The composition root reaches everything, the migrations included.
  infrastructure: { layers: ['domain', 'application', 'adapters', 'infrastructure', 'migrations'], packages: true },
};

interface SourceFile {
  /** Relative to the repository root, with forward slashes: `src/adapters/http/app.ts`. */
  path: string;
  text: string;
}

function sourceFiles(dir: string): SourceFile[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [{ path: full.split(path.sep).join('/'), text: readFileSync(full, 'utf8') }] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or with import(). */
function imports(text: string): string[] {
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2] ?? m[3])!,
  );
}

/** The file a relative specifier names (`./x.js` → `dir/x.ts`), repository-relative. */
function resolve(from: string, spec: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)).replace(/\.js$/, '.ts');
}

const layerOf = (file: string): string => file.split('/')[1] ?? '';
const topOf = (file: string): string => (file.startsWith('src/') ? layerOf(file) : (file.split('/')[0] ?? ''));

/** Every import that breaks the rule, as `file imports spec (why)`. */
function violations(files: SourceFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const rule = RULES[layerOf(file.path) as Layer];
    if (!rule) {
      found.push(`${file.path} is in no layer`);
      continue;
    }
    for (const spec of imports(file.text)) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        if (!rule.packages) found.push(`${file.path} imports package ${spec}`);
        continue;
      }
      const target = topOf(resolve(file.path, spec));
      if (!rule.layers.includes(target)) found.push(`${file.path} imports ${spec} (${target})`);
    }
  }
  return found;
}

/** Every import cycle among the files, each as `a → b → … → a`, found by depth-first search. */
function cycles(files: SourceFile[]): string[] {
  const known = new Set(files.map((f) => f.path));
  const edges = new Map(
    files.map((f) => [
      f.path,
      [
        ...new Set(
          imports(f.text)
            .filter((s) => s.startsWith('.'))
            .map((s) => resolve(f.path, s)),
        ),
      ].filter((t) => known.has(t)),
    ]),
  );
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        // The same cycle found from another file is reported once: start it at its smallest name.
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...rotated, rotated[0]].join(' → '));
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of known) if (!state.has(file)) visit(file);
  return [...found];
}

/**
 * The rooms of src/adapters (http, persistence, cache, …) meet through the ports of the application
 * layer, not through each other. Files directly under src/adapters/ are helpers for every room
 * (html, with-timeout). These crossings are the exceptions, each with its reason.
 */
const ROOM_CROSSINGS: readonly { from: string; to: string; why: string }[] = [
  {
    from: 'cache',
    to: 'src/adapters/rate-limit/gcra.ts',
    why: "Redis admission counts the per-user limits with the limiter's own GCRA script, in the round trip of the session check",
  },
  { from: 'cache', to: 'src/adapters/rate-limit/redis-lua-commands.ts', why: 'the Redis admission script runs through the runner the limiter uses' },
  {
    from: 'http',
    to: 'src/adapters/rate-limit/rate-limit-store.ts',
    why: "koa-ratelimit is HTTP middleware over a store (Redis or in-process) the composition root picks: the store's type is its contract",
  },
  { from: 'http', to: 'src/adapters/rate-limit/throttle-key.ts', why: 'the per-IP auth limit keys a client as the failed-login throttle does (an IPv6 /64)' },
  {
    from: 'carddav',
    to: 'src/adapters/http/middleware/rate-limit.ts',
    why: "the per-user dav limit answers with REST's X-RateLimit-* headers and its RateLimited refusal (429 with Retry-After)",
  },
];

const roomOf = (file: string): string | undefined => (file.startsWith('src/adapters/') && file.split('/').length > 3 ? file.split('/')[2] : undefined);

/** Every import from one adapter room into another that is not a listed crossing, as `file imports target`. */
function roomCrossings(files: SourceFile[], allowed: readonly { from: string; to: string }[]): { unlisted: string[]; used: Set<string> } {
  const unlisted: string[] = [];
  const used = new Set<string>();
  for (const file of files) {
    const room = roomOf(file.path);
    if (!room) continue;
    for (const spec of imports(file.text).filter((s) => s.startsWith('.'))) {
      const target = resolve(file.path, spec);
      const targetRoom = roomOf(target);
      if (!targetRoom || targetRoom === room) continue;
      const crossing = allowed.find((c) => c.from === room && c.to === target);
      if (crossing) used.add(`${crossing.from} → ${crossing.to}`);
      else unlisted.push(`${file.path} imports ${target}`);
    }
  }
  return { unlisted, used };
}

/** The adapter classes (`class X implements Port`) of src/adapters, by name. */
function adapterClasses(files: SourceFile[]): Set<string> {
  const names = files
    .filter((f) => f.path.startsWith('src/adapters/'))
    .flatMap((f) => [...f.text.matchAll(/class\s+(\w+)(?:<[^>]*>)?(?:\s+extends\s+[\w.<>]+)?\s+implements\s/g)].map((m) => m[1]!));
  return new Set(names);
}

/** Every `instanceof` of an adapter class: behaviour chosen by which adapter was wired, instead of by the composition root. */
function adapterInstanceofs(files: SourceFile[]): string[] {
  const adapters = adapterClasses(files);
  return files.flatMap((f) => [...f.text.matchAll(/instanceof\s+(\w+)/g)].filter((m) => adapters.has(m[1]!)).map((m) => `${f.path}: instanceof ${m[1]}`));
}

const src = sourceFiles('src');

test('every layer imports only itself and the layers inside it (domain and application: no npm package)', (t) => {
  t.true(src.length > 50, 'the source tree was read');
  t.deepEqual(violations(src), []);
});

test('there is no import cycle in src/', (t) => {
  t.deepEqual(cycles(src), []);
});

test('the rule catches a forbidden import in every direction, a package in the core, and a file outside the layers', (t) => {
  const file = (p: string, ...specs: string[]) => ({ path: p, text: specs.map((s) => `import { x } from '${s}';`).join('\n') });
  t.deepEqual(
    violations([
      file('src/domain/user.ts', '../application/ports/clock.js', 'node:crypto'),
      file('src/application/use-cases/a.ts', '../../adapters/http/app.js', 'knex', '../../domain/user.js'),
      file('src/adapters/http/app.ts', '../../infrastructure/config.js', 'koa', '../../application/ports/logger.js'),
      {
        path: 'src/adapters/cache/b.ts',
        text: "export type { Y } from '../../infrastructure/redis.js';\nconst m = await import('../../infrastructure/main.js');",
      },
      file('src/infrastructure/container.ts', '../adapters/http/app.js', '../../migrations/index.js'),
      file('src/shared/util.ts'),
    ]),
    [
      'src/domain/user.ts imports ../application/ports/clock.js (application)',
      'src/application/use-cases/a.ts imports ../../adapters/http/app.js (adapters)',
      'src/application/use-cases/a.ts imports package knex',
      'src/adapters/http/app.ts imports ../../infrastructure/config.js (infrastructure)',
      'src/adapters/cache/b.ts imports ../../infrastructure/redis.js (infrastructure)',
      'src/adapters/cache/b.ts imports ../../infrastructure/main.js (infrastructure)',
      'src/shared/util.ts is in no layer',
    ],
  );
});

test('the cycle check finds a cycle, however long, once', (t) => {
  const file = (p: string, ...specs: string[]) => ({ path: p, text: specs.map((s) => `import type { X } from '${s}';`).join('\n') });
  t.deepEqual(
    cycles([
      file('src/adapters/http/app.ts', './routes/auth.routes.js'),
      file('src/adapters/http/routes/auth.routes.ts', '../middleware/rate-limit.js'),
      file('src/adapters/http/middleware/rate-limit.ts', '../app.js'),
      file('src/domain/a.ts', './b.js'),
      file('src/domain/b.ts'),
    ]),
    ['src/adapters/http/app.ts → src/adapters/http/routes/auth.routes.ts → src/adapters/http/middleware/rate-limit.ts → src/adapters/http/app.ts'],
  );
});

test('only the config module reads process.env', (t) => {
  const readers = src.filter((file) => file.text.includes('process.env')).map((file) => file.path);
  t.deepEqual(readers, ['src/infrastructure/config.ts']);
});

test('no adapter imports another adapter room except through a port, and every listed crossing is still used', (t) => {
  const { unlisted, used } = roomCrossings(src, ROOM_CROSSINGS);
  t.deepEqual(unlisted, []);
  t.deepEqual(
    ROOM_CROSSINGS.map((c) => `${c.from} → ${c.to}`).filter((c) => !used.has(c)),
    [],
    'a crossing no file makes any more is taken off the list',
  );
});

test('the room rule catches a crossing, lets a room import itself and the shared helpers, and lets a listed crossing through', (t) => {
  const file = (p: string, ...specs: string[]) => ({ path: p, text: specs.map((s) => `import type { X } from '${s}';`).join('\n') });
  const { unlisted, used } = roomCrossings(
    [
      file('src/adapters/http/routes/a.routes.ts', '../../persistence/knex-user-repository.js', '../middleware/b.js', '../../../application/ports/clock.js'),
      file('src/adapters/cache/redis-x.ts', '../with-timeout.js', '../rate-limit/gcra.js', '../storage/local-disk-avatar-storage.js'),
    ],
    [{ from: 'cache', to: 'src/adapters/rate-limit/gcra.ts' }],
  );
  t.deepEqual(unlisted, [
    'src/adapters/http/routes/a.routes.ts imports src/adapters/persistence/knex-user-repository.ts',
    'src/adapters/cache/redis-x.ts imports src/adapters/storage/local-disk-avatar-storage.ts',
  ]);
  t.deepEqual([...used], ['cache → src/adapters/rate-limit/gcra.ts']);
});

test('no code asks which adapter it was given (instanceof an adapter class): the composition root decides', (t) => {
  t.true(adapterClasses(src).has('LocalDiskAvatarStorage'), 'the adapter classes were found');
  t.deepEqual(adapterInstanceofs(src), []);
  const wiring = {
    path: 'src/infrastructure/wiring/http.ts',
    text: 'const media = deps.avatars instanceof LocalDiskAvatarStorage ? deps.avatars : undefined; if (e instanceof ServiceUnavailable) throw e;',
  };
  t.deepEqual(adapterInstanceofs([...src, wiring]), ['src/infrastructure/wiring/http.ts: instanceof LocalDiskAvatarStorage']);
});
