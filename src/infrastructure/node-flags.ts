/**
 * The flags production starts Node with: the Dockerfile's CMD, the compiled-server test and
 * `npm run bench` use this list (a test keeps the Dockerfile in step).
 *
 * `--max-old-space-size=160`: left to itself on a machine with plenty of memory, V8 lets the old
 * generation fill with garbage for a long time before collecting it, so the RSS grows far past the
 * live heap. Capped, V8 collects sooner, at no cost in throughput. The cap sits far above the live
 * heap, and avatar uploads are Buffers, outside this heap. See docs/decisions/heap-cap.md.
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = ['--max-old-space-size=160'];

/**
 * The environment production starts Node with, read by glibc before any code runs: the
 * Dockerfile's ENV, `npm start` and `npm run bench` set it (a test keeps them in step).
 *
 * `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (libuv's pool, libvips's workers
 * fitting imported photos) an arena of its own, up to eight per core, and keeps their freed memory;
 * the RSS then creeps up with every import. Two arenas keep it flat.
 *
 * `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` at 128 KiB: glibc raises its mmap threshold
 * each time a large block is freed, so after the first photos and import buffers, blocks of several
 * MB come from the heap and their pages stay with the process once freed. Fixed thresholds send
 * them to mmap, returned on free, and trim the heap's free top. See docs/deploying.md.
 */
export const PRODUCTION_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};
