import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { PasswordHasher } from '../../application/ports/password-hasher.js';
import type { BcryptTask } from './bcrypt-worker.js';

// The worker is the sibling module in whatever form this one runs: .ts under tsx, .js when compiled.
const workerUrl = new URL(`./bcrypt-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** bcryptjs allocates next to nothing: a small heap per thread keeps each one's memory low (~5 MB less than V8's defaults). */
const WORKER_HEAP = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 };

/** bcrypt in a pool of worker threads, one per core: a login burst uses every core and stalls nothing. */
export class WorkerBcryptPasswordHasher implements PasswordHasher {
  private readonly pool: Piscina<BcryptTask, string | boolean>;

  constructor(private readonly rounds: number, threads = availableParallelism()) {
    this.pool = new Piscina({ filename: workerUrl.href, minThreads: 1, maxThreads: threads, idleTimeout: 60_000, resourceLimits: WORKER_HEAP });
  }

  async hash(password: string): Promise<string> {
    return (await this.pool.run({ op: 'hash', password, rounds: this.rounds })) as string;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    return (await this.pool.run({ op: 'verify', password, hash })) as boolean;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
