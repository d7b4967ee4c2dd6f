import { WorkerBcryptPasswordHasher } from '../../../src/adapters/security/worker-bcrypt-password-hasher.js';
import { passwordHasherContract } from '../../contracts/password-hasher.contract.js';
import { FakePasswordHasher } from '../../fakes/fakes.js';

passwordHasherContract({ name: 'fake', open: async () => new FakePasswordHasher() });

passwordHasherContract({
  name: 'bcrypt in worker threads',
  // The lowest cost bcrypt allows: the contract is about answers, not about cost.
  open: async () => new WorkerBcryptPasswordHasher(4, 2),
  close: (hasher) => hasher.close(),
});
