/**
 * `npm run bench:profile -- bench/results/<file>.cpuprofile [--top 40]`
 *
 * Reads a V8 CPU profile (as `npm run bench -- --cpu-prof` writes it) and prints where the time
 * went: self time by package (an npm package, our own `src/` folders, Node's internals, GC, idle)
 * and the functions with the most self time. A flame graph shows the shape; this shows the sums.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The bucket a frame's self time counts in: `pkg:koa`, `src/adapters/http`, `node:internal/...`. */
export function bucketOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const own = /\/(src|bench|dist\/src)\/([^/]+)(?:\/([^/]+))?\//.exec(url);
  if (own) return `${own[1] === 'dist/src' ? 'src' : own[1]}/${own[2]}${own[3] && !own[3].includes('.') ? `/${own[3]}` : ''}`;
  return url;
}

export function summarize(profile: CpuProfile) {
  const totalUs = profile.endTime - profile.startTime;
  // Self time per node, from the samples and the time that followed each.
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const bucket = bucketOf(node.callFrame);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
    const file = node.callFrame.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/');
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${file}${file ? `:${node.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalUs, byBucket: sorted(byBucket), byFunction: sorted(byFunction) };
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/'));
if (isMain) {
  const args = process.argv.slice(2);
  const file = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
  const topIndex = args.indexOf('--top');
  const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 40;
  if (!file) {
    console.error('usage: npm run bench:profile -- <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  const { totalUs, byBucket, byFunction } = summarize(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
  const busyUs = byBucket.filter(([bucket]) => bucket !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
  const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`profile: ${(totalUs / 1e6).toFixed(1)} s, busy ${(busyUs / 1e6).toFixed(1)} s (percentages are of busy time)\n`);
  console.log('self time by package / folder');
  for (const [bucket, us] of byBucket) if (bucket !== '(idle)' && us / busyUs >= 0.002) console.log(`${ms(us)} ${pct(us)}  ${bucket}`);
  console.log(`\ntop ${top} functions by self time`);
  for (const [fn, us] of byFunction.filter(([fn]) => !fn.startsWith('(idle)')).slice(0, top)) console.log(`${ms(us)} ${pct(us)}  ${fn}`);
}
