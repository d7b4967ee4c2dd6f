/**
 * Settles as `work` does, or rejects with `Error(message)` after `ms`, whichever comes first. The
 * timer never outlives the race. `work` itself goes on: the caller only stops waiting for it.
 * Every Redis command of a request goes through here, so it is one promise and one timer, not a
 * race of two promises and a `finally`.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
