import type { PasswordHasher } from '../../src/application/ports/password-hasher.js';
import { contractTest, type ContractSubject } from './harness.js';

/** What every PasswordHasher promises, the fake included: a hash verifies its password and no other. */
export function passwordHasherContract<T extends PasswordHasher>(subject: ContractSubject<T>): void {
  const it = contractTest(subject);

  it('a hash verifies the password it was made from, and no other', async (t, hasher) => {
    const hash = await hasher.hash('correct horse battery staple');
    t.is(typeof hash, 'string');
    t.true(await hasher.verify('correct horse battery staple', hash));
    t.false(await hasher.verify('correct horse battery stapler', hash));
    t.false(await hasher.verify('Correct horse battery staple', hash));
    t.false(await hasher.verify('', hash));
  });

  it('passwords in any script and up to the 72-byte limit verify exactly', async (t, hasher) => {
    const longest = `${'é'.repeat(35)}ab`; // 72 bytes of UTF-8
    const cases = ['Zoë 😀 пароль 密码', longest];
    for (const password of cases) {
      const hash = await hasher.hash(password);
      t.true(await hasher.verify(password, hash), password);
    }
    t.false(await hasher.verify(`${longest.slice(0, -1)}c`, await hasher.hash(longest)), 'the last byte counts');
  });

  it('a malformed or empty hash verifies nothing and never throws', async (t, hasher) => {
    for (const hash of ['', 'not a hash', '$2b$10$short', `$2b$99$${'a'.repeat(53)}`]) {
      t.false(await hasher.verify('any password', hash), JSON.stringify(hash));
    }
  });

  it('parallel hashes and verifications each get their own answer', async (t, hasher) => {
    const passwords = Array.from({ length: 6 }, (_, i) => `parallel password ${i}`);
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    const checks = await Promise.all(passwords.flatMap((p, i) => [hasher.verify(p, hashes[i]!), hasher.verify(p, hashes[(i + 1) % hashes.length]!)]));
    t.deepEqual(
      checks,
      passwords.flatMap(() => [true, false]),
    );
  });
}
