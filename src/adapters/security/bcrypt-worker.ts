import bcrypt from 'bcryptjs';

export type BcryptTask =
  | { op: 'hash'; password: string; rounds: number }
  | { op: 'verify'; password: string; hash: string };

/** Runs in a worker thread so that hashing never blocks the event loop serving requests. */
export default async function run(task: BcryptTask): Promise<string | boolean> {
  if (task.op === 'hash') return bcrypt.hash(task.password, task.rounds);
  try {
    return await bcrypt.compare(task.password, task.hash);
  } catch {
    return false;
  }
}
