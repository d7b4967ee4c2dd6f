/**
 * The flags production starts Node with: the Dockerfile's CMD, the compiled-server test and
 * `npm run bench` use this list (a test keeps the Dockerfile in step).
 *
 * `--max-old-space-size=160`: left to itself on a machine with plenty of memory, V8 lets the old
 * generation fill with garbage for a long time before collecting it. Under load the server's RSS
 * rose to 260–270 MB while the live heap stayed under 60 MB. Capped at 160 MB, V8 collects
 * sooner: the benchmark's peak RSS went to 162 MB with no loss of throughput. The cap sits far
 * above the live heap, and avatar uploads are Buffers, outside this heap. See
 * docs/decisions/heap-cap.md.
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = ['--max-old-space-size=160'];
