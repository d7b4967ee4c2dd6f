import test from 'ava';
import { WorkerBcryptPasswordHasher } from '../../../src/adapters/security/worker-bcrypt-password-hasher.js';
import { ServiceUnavailable } from '../../../src/domain/errors.js';

test('the hashing pool has a bounded queue: past it a hash is refused at once with ServiceUnavailable (retry after 1 s), the rest complete', async (t) => {
  const hasher = new WorkerBcryptPasswordHasher(10, 1, 2);
  try {
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => hasher.hash(`password number ${i}`)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    const hashed = results.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled');
    t.true(refused.length >= 4, `${refused.length} refused`);
    t.true(hashed.length >= 1 && hashed.length <= 4, `${hashed.length} hashed`);
    for (const { reason } of refused) {
      t.true(reason instanceof ServiceUnavailable);
      t.is((reason as ServiceUnavailable).retryAfterSeconds, 1);
    }
    t.true(await hasher.verify(`password number ${results.indexOf(hashed[0]!)}`, hashed[0]!.value));
    t.true(Date.now() - started < 20_000);
    // Once the queue has drained, hashing works again.
    t.regex(await hasher.hash('after the flood'), /^\$2[aby]\$10\$/);
  } finally {
    await hasher.close();
  }
});
