import type { Repositories } from '../../src/application/ports/unit-of-work.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface AppPasswordFixture {
  repos: Repositories;
  /** Every stored row of the user, as the store holds it (every column), to check what is at rest. */
  storedRows(userId: string): Promise<object[]>;
  close(): Promise<void>;
}

const MISSING = '00000000-0000-4000-8000-000000000000';
let users = 0;
const newUser = (repos: Repositories) => {
  users += 1;
  return repos.users.create({
    username: 'Ann',
    email: `app-pw-${users}-${Math.random().toString(36).slice(2)}@example.com`,
    passwordHash: 'h',
    avatarUrl: 'a',
  });
};
// A store is shared by the suites of one subject: each run's digests are its own.
const RUN = Math.random().toString(16).slice(2, 10).padEnd(8, '0');
const digest = (n: number) => `${RUN}${n.toString(16).padStart(8, '0')}${'ab'.repeat(24)}`;
const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, s));

/** The behaviour every implementation of AppPasswordRepository shares: fake, PGlite and PostgreSQL. */
export function appPasswordRepositoryContract(subject: ContractSubject<AppPasswordFixture>): void {
  const it = contractTest(subject);

  it('create, then find by the digest, list newest first; the digest is never handed back', async (t, { repos, storedRows }) => {
    const user = await newUser(repos);
    const hashA = digest(1);
    const a = await repos.appPasswords.create({ userId: user.id, name: 'Phone', secretHash: hashA, createdAt: at(1) }, 20);
    const b = await repos.appPasswords.create({ userId: user.id, name: 'Tablet', secretHash: digest(2), createdAt: at(2) }, 20);
    t.deepEqual(a, { id: a!.id, userId: user.id, name: 'Phone', createdAt: at(1), lastUsedAt: null });
    t.deepEqual(await repos.appPasswords.findBySecretHash(hashA), a);
    t.is(await repos.appPasswords.findBySecretHash(digest(3)), null);
    t.deepEqual(
      (await repos.appPasswords.listForUser(user.id)).map((p) => p.name),
      ['Tablet', 'Phone'],
    );
    t.deepEqual(await repos.appPasswords.listForUser(MISSING), []);
    t.false(JSON.stringify([a, b, await repos.appPasswords.listForUser(user.id)]).includes(hashA));
    const rows = await storedRows(user.id);
    t.is(rows.length, 2);
    t.true(rows.some((row) => Object.values(row as Record<string, unknown>).includes(hashA)));
  });

  it('create refuses past `max` per user (null), counting only that user', async (t, { repos }) => {
    const [ann, bob] = [await newUser(repos), await newUser(repos)];
    for (let i = 0; i < 3; i += 1)
      t.truthy(await repos.appPasswords.create({ userId: ann.id, name: `p${i}`, secretHash: digest(10 + i), createdAt: at(i) }, 3));
    t.is(await repos.appPasswords.create({ userId: ann.id, name: 'p3', secretHash: digest(20), createdAt: at(5) }, 3), null);
    t.truthy(await repos.appPasswords.create({ userId: bob.id, name: 'b', secretHash: digest(21), createdAt: at(5) }, 3));
    t.is((await repos.appPasswords.listForUser(ann.id)).length, 3);
  });

  it('concurrent creations for one user never go past `max`', async (t, { repos }) => {
    const user = await newUser(repos);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => repos.appPasswords.create({ userId: user.id, name: `p${i}`, secretHash: digest(30 + i), createdAt: at(i) }, 5)),
    );
    t.is(results.filter(Boolean).length, 5);
    t.is((await repos.appPasswords.listForUser(user.id)).length, 5);
  });

  it("deleteForUser deletes only the user's own; deleteAllForUser every one of the user's", async (t, { repos }) => {
    const [ann, bob] = [await newUser(repos), await newUser(repos)];
    const a1 = (await repos.appPasswords.create({ userId: ann.id, name: 'a1', secretHash: digest(40), createdAt: at(1) }, 20))!;
    await repos.appPasswords.create({ userId: ann.id, name: 'a2', secretHash: digest(41), createdAt: at(2) }, 20);
    const b1 = (await repos.appPasswords.create({ userId: bob.id, name: 'b1', secretHash: digest(42), createdAt: at(3) }, 20))!;
    t.false(await repos.appPasswords.deleteForUser(ann.id, b1.id));
    t.false(await repos.appPasswords.deleteForUser(ann.id, MISSING));
    t.false(await repos.appPasswords.deleteForUser(ann.id, 'not-a-uuid'));
    t.true(await repos.appPasswords.deleteForUser(ann.id, a1.id));
    t.false(await repos.appPasswords.deleteForUser(ann.id, a1.id));
    t.is(await repos.appPasswords.findBySecretHash(digest(40)), null);
    t.is(await repos.appPasswords.deleteAllForUser(ann.id), 1);
    t.deepEqual(await repos.appPasswords.listForUser(ann.id), []);
    t.is((await repos.appPasswords.listForUser(bob.id)).length, 1);
  });

  it('touch records a use at most once a minute', async (t, { repos }) => {
    const user = await newUser(repos);
    const entry = (await repos.appPasswords.create({ userId: user.id, name: 'p', secretHash: digest(50), createdAt: at(0) }, 20))!;
    await repos.appPasswords.touch(entry.id, at(10));
    t.deepEqual((await repos.appPasswords.findBySecretHash(digest(50)))!.lastUsedAt, at(10));
    await repos.appPasswords.touch(entry.id, at(40));
    t.deepEqual((await repos.appPasswords.findBySecretHash(digest(50)))!.lastUsedAt, at(10));
    await repos.appPasswords.touch(entry.id, new Date(at(10).getTime() + 60_000));
    t.deepEqual((await repos.appPasswords.findBySecretHash(digest(50)))!.lastUsedAt, new Date(at(10).getTime() + 60_000));
    await repos.appPasswords.touch(MISSING, at(0));
    await repos.appPasswords.touch('not-a-uuid', at(0));
  });

  it('they go with their user', async (t, { repos }) => {
    const user = await newUser(repos);
    await repos.appPasswords.create({ userId: user.id, name: 'p', secretHash: digest(60), createdAt: at(0) }, 20);
    t.true(await repos.users.delete(user.id));
    t.is(await repos.appPasswords.findBySecretHash(digest(60)), null);
    t.deepEqual(await repos.appPasswords.listForUser(user.id), []);
  });
}
