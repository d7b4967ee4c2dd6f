/**
 * The API as `npm run bench` starts it: the product's own server (src/infrastructure/server.ts),
 * with the metrics route of bench-metrics.ts in front of it. Only the benchmark builds this file.
 */
import { withBenchMetrics } from './bench-metrics.js';
import { serve } from '../src/infrastructure/server.js';

await serve({ wrapListener: (listener, container) => withBenchMetrics(listener, container.knex) });
