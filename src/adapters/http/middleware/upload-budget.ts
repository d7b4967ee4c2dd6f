import { HttpProblem } from '../problem.js';

export interface UploadBudgetLimits {
  /** Bytes of upload bodies the instance reads and handles at once, whatever the number of uploads. */
  bytes: number;
  /** Uploads that may wait for their turn; past that, 503 at once. */
  maxWaiting: number;
  /** How long an upload waits for its turn before 503. */
  waitMs: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds: number;
}

interface Waiter {
  bytes: number;
  admit: () => void;
}

/**
 * Shares a budget of bytes between the uploads of one process, first come first served: an upload
 * reserves the most its body can be before it is read, and gives it back once handled. So the
 * memory uploads hold is bounded whatever the number of clients, while many small files still go
 * through side by side. An upload larger than the whole budget is admitted alone.
 */
export class UploadBudget {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limits: UploadBudgetLimits) {}

  /**
   * Resolves with the release function once `bytes` fit. Rejects with 503 (Retry-After) when too
   * many uploads wait, or when the turn does not come within `waitMs`; `abandoned` (the client went
   * away) leaves the queue with whatever error it rejects with.
   */
  acquire(bytes: number, abandoned?: Promise<Error>): Promise<() => void> {
    const reserved = Math.min(bytes, this.limits.bytes);
    if (this.waiting.length === 0 && this.used + reserved <= this.limits.bytes) {
      this.used += reserved;
      return Promise.resolve(this.releaser(reserved));
    }
    if (this.waiting.length >= this.limits.maxWaiting) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes: reserved,
        admit: () => {
          clearTimeout(timer);
          resolve(this.releaser(reserved));
        },
      };
      const leave = (error: Error) => {
        const at = this.waiting.indexOf(waiter);
        if (at === -1) return;
        this.waiting.splice(at, 1);
        clearTimeout(timer);
        reject(error);
        // The head of the queue may have been all that held smaller uploads behind it.
        this.admitWaiting();
      };
      const timer = setTimeout(() => leave(this.busy()), this.limits.waitMs);
      void abandoned?.then(leave);
      this.waiting.push(waiter);
    });
  }

  /** Bytes reserved by uploads being read or handled. */
  get inUse(): number {
    return this.used;
  }

  /** Uploads waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  private releaser(bytes: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      this.admitWaiting();
    };
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.limits.bytes) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.admit();
    }
  }

  private busy(): HttpProblem {
    return new HttpProblem(503, 'UPLOADS_BUSY', 'The server is receiving too many uploads; try again shortly.', {
      'Retry-After': String(this.limits.retryAfterSeconds),
    });
  }
}
