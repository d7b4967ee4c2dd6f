import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import bcrypt from 'bcryptjs';

// On Linux a thread has its own nice value: lowering this worker's lets the event-loop thread take
// a core whenever it has a request to serve, while hashing still fills every idle core. The lowest
// priority (19) gave the event loop shorter worst delays than 10 during login bursts, with the same
// logins per second (docs/measurements.md).
try {
  const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(threadId)) setPriority(threadId, 19);
} catch {
  // Not Linux, or no /proc: hashing simply runs at normal priority.
}

export type BcryptTask = { op: 'hash'; password: string; rounds: number } | { op: 'verify'; password: string; hash: string };

/** Runs in a worker thread so that hashing never blocks the event loop serving requests. */
export default async function run(task: BcryptTask): Promise<string | boolean> {
  if (task.op === 'hash') return bcrypt.hash(task.password, task.rounds);
  try {
    return await bcrypt.compare(task.password, task.hash);
  } catch {
    return false;
  }
}
