import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { PasswordHasher } from '../../application/ports/password-hasher.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import type { BcryptTask } from './bcrypt-worker.js';

// The worker is the sibling module in whatever form this one runs: .ts under tsx, .js when compiled.
const workerUrl = new URL(`./bcrypt-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** bcryptjs allocates next to nothing: a small heap per thread keeps each one's memory low. */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 };

/**
 * bcrypt in a pool of worker threads, one per core: a login burst uses every core and stalls nothing.
 * The queue in front of the threads is bounded (by default 16 tasks per thread, about 2 s of work
 * at cost 12): past it a hash is refused at once with ServiceUnavailable (503, Retry-After) instead
 * of waiting behind a flood, and memory stays bounded.
 */
export class WorkerBcryptPasswordHasher implements PasswordHasher {
  private readonly pool: Piscina<BcryptTask, string | boolean>;
  private readonly maxQueue: number;

  constructor(
    private readonly rounds: number,
    threads = availableParallelism(),
    maxQueue = 16 * threads,
  ) {
    this.maxQueue = maxQueue;
    this.pool = new Piscina({ filename: workerUrl.href, minThreads: 1, maxThreads: threads, maxQueue, idleTimeout: 60_000, resourceLimits: WORKER_HEAP });
  }

  async hash(password: string): Promise<string> {
    return (await this.run({ op: 'hash', password, rounds: this.rounds })) as string;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    return (await this.run({ op: 'verify', password, hash })) as boolean;
  }

  private async run(task: BcryptTask): Promise<string | boolean> {
    if (this.pool.queueSize >= this.maxQueue) throw new ServiceUnavailable('password hashing', 1);
    try {
      return await this.pool.run(task);
    } catch (error) {
      if (error instanceof Error && /queue is at limit/i.test(error.message)) throw new ServiceUnavailable('password hashing', 1);
      throw error;
    }
  }

  /**
   * Ends the threads, waiting for them at most `waitMs`. Nothing in a thread needs finishing (a hash
   * still running is lost either way), and a thread at the lowest priority (bcrypt-worker.ts) on a
   * busy machine can wait long for the core it needs to exit, long enough for a shutdown to overrun
   * its deadline and exit 1 (docs/measurements.md).
   * The threads end when the process does, or on their own shortly after.
   */
  async close(waitMs = 100): Promise<void> {
    const destroyed = this.pool.destroy().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([destroyed, waited]);
    clearTimeout(timer);
  }
}
