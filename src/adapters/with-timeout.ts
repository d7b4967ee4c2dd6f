/**
 * Settles as `work` does, or rejects with `Error(message)` after `ms`, whichever comes first. The
 * timer never outlives the race. `work` itself goes on: the caller only stops waiting for it.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
