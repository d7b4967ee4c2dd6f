import type { Repositories, UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import { EMPTY_CONTACT_FIELDS } from '../../src/domain/contact.js';
import { EmailTaken } from '../../src/domain/user.errors.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface RepositoryFixture {
  repos: Repositories;
  uow: UnitOfWork;
  close(): Promise<void>;
}

const newUser = (email: string) => ({ username: 'Ann', email, passwordHash: 'hash', avatarUrl: 'https://example.com/a.png' });
const later = (ms: number) => new Date(Date.now() + ms);
const MISSING = '00000000-0000-4000-8000-000000000000';

/** The behaviour every implementation of the account repositories shares: fake, PGlite and PostgreSQL. */
export function accountRepositoriesContract(subject: ContractSubject<RepositoryFixture>): void {
  const it = contractTest(subject);

  it('users: create, then find by id and by email in any case', async (t, { repos }) => {
    const user = await repos.users.create(newUser('Ann@Example.com'));
    t.like(user, { username: 'Ann', email: 'Ann@Example.com', emailVerified: false, tokenVersion: 0 });
    t.true(user.createdAt instanceof Date);
    t.deepEqual(await repos.users.findById(user.id), user);
    t.deepEqual(await repos.users.findByEmail('ann@EXAMPLE.com'), user);
    t.is(await repos.users.findByEmail('other@example.com'), null);
    t.is(await repos.users.findById(MISSING), null);
    t.is(await repos.users.findById('not-a-uuid'), null);
  });

  it('users: a second account with the same email in another case throws EmailTaken', async (t, { repos }) => {
    await repos.users.create(newUser('dup@example.com'));
    await t.throwsAsync(repos.users.create(newUser('DUP@example.com')), { instanceOf: EmailTaken });
  });

  it('users: verification, password (bumping the token version) and avatar are stored', async (t, { repos }) => {
    const user = await repos.users.create(newUser('u@example.com'));
    t.true((await repos.users.markEmailVerified(user.id))!.emailVerified);
    const changed = await repos.users.setPassword(user.id, 'new hash');
    t.like(changed, { passwordHash: 'new hash', tokenVersion: 1, emailVerified: true });
    t.is((await repos.users.setAvatarUrl(user.id, 'https://cdn.example.com/x.png'))!.avatarUrl, 'https://cdn.example.com/x.png');
    t.like(await repos.users.findById(user.id), { passwordHash: 'new hash', tokenVersion: 1, avatarUrl: 'https://cdn.example.com/x.png' });
    t.is(await repos.users.markEmailVerified(MISSING), null);
  });

  it('sessions: rotate only from the current refresh id; revoke one or all', async (t, { repos }) => {
    const user = await repos.users.create(newUser('s@example.com'));
    const a = await repos.sessions.create({ userId: user.id, refreshJti: 'j1', expiresAt: later(60_000) });
    const b = await repos.sessions.create({ userId: user.id, refreshJti: 'k1', expiresAt: later(60_000) });
    t.like(await repos.sessions.findById(a.id), { userId: user.id, refreshJti: 'j1', revokedAt: null });
    t.true(await repos.sessions.rotate(a.id, 'j1', 'j2', later(120_000)));
    t.false(await repos.sessions.rotate(a.id, 'j1', 'j3', later(120_000)));
    t.is((await repos.sessions.findById(a.id))!.refreshJti, 'j2');
    await repos.sessions.revoke(a.id, new Date());
    t.truthy((await repos.sessions.findById(a.id))!.revokedAt);
    t.false(await repos.sessions.rotate(a.id, 'j2', 'j4', later(1000)));
    t.is((await repos.sessions.findById(b.id))!.revokedAt, null);
    t.deepEqual(await repos.sessions.revokeAllForUser(user.id, new Date()), [b.id], 'the ids it revoked, not the one already revoked');
    t.truthy((await repos.sessions.findById(b.id))!.revokedAt);
    t.deepEqual(await repos.sessions.revokeAllForUser(user.id, new Date()), []);
    t.is(await repos.sessions.findById('nope'), null);
  });

  it('one-time tokens: found by purpose and hash, consumed once, latest issue time known', async (t, { repos }) => {
    const user = await repos.users.create(newUser('t@example.com'));
    const first = new Date(Date.now() - 120_000);
    const second = new Date(Date.now() - 60_000);
    await repos.tokens.create({ userId: user.id, purpose: 'verify-email', tokenHash: 'h1', createdAt: first, expiresAt: later(60_000) });
    await repos.tokens.create({ userId: user.id, purpose: 'verify-email', tokenHash: 'h2', createdAt: second, expiresAt: later(60_000) });
    await repos.tokens.create({ userId: user.id, purpose: 'reset-password', tokenHash: 'h3', createdAt: first, expiresAt: later(60_000) });
    t.is(await repos.tokens.findByHash('reset-password', 'h1'), null);
    const record = (await repos.tokens.findByHash('verify-email', 'h1'))!;
    t.like(record, { userId: user.id, purpose: 'verify-email', consumedAt: null });
    t.is((await repos.tokens.lastIssuedAt(user.id, 'verify-email'))!.getTime(), second.getTime());
    t.true(await repos.tokens.consume(record.id, new Date()));
    t.false(await repos.tokens.consume(record.id, new Date()));
    await repos.tokens.consumeAllForUser(user.id, 'verify-email', new Date());
    t.truthy((await repos.tokens.findByHash('verify-email', 'h2'))!.consumedAt);
    t.is((await repos.tokens.findByHash('reset-password', 'h3'))!.consumedAt, null);
    t.is(await repos.tokens.lastIssuedAt(MISSING, 'verify-email'), null);
  });

  it('one-time tokens: created unless one of that purpose was issued since, and of parallel claims exactly one creates', async (t, { repos, uow }) => {
    const user = await repos.users.create(newUser('claim@example.com'));
    const now = Date.now();
    const token = (hash: string, at: number, purpose: 'verify-email' | 'reset-password' = 'reset-password') => ({
      userId: user.id,
      purpose,
      tokenHash: hash,
      createdAt: new Date(at),
      expiresAt: later(3_600_000),
    });
    await repos.tokens.create(token('c0', now - 30_000, 'verify-email'));
    t.false(await repos.tokens.createUnlessIssuedSince(token('c1', now, 'verify-email'), new Date(now - 60_000)), 'one issued 30 s ago');
    t.is(await repos.tokens.findByHash('verify-email', 'c1'), null);
    t.true(await repos.tokens.createUnlessIssuedSince(token('c2', now + 31_000, 'verify-email'), new Date(now - 29_000)));

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => uow.run((tx) => tx.tokens.createUnlessIssuedSince(token(`p${i}`, now, 'reset-password'), new Date(now - 60_000)))),
    );
    t.is(results.filter(Boolean).length, 1);
    const stored = await Promise.all(Array.from({ length: 10 }, (_, i) => repos.tokens.findByHash('reset-password', `p${i}`)));
    t.is(stored.filter((r) => r !== null).length, 1);
  });

  it('one-time tokens: an email-change token is claimed per new address (any case), whichever user asks; of parallel claims exactly one creates', async (t, {
    repos,
    uow,
  }) => {
    const [ann, bob] = [await repos.users.create(newUser('addr-ann@example.com')), await repos.users.create(newUser('addr-bob@example.com'))];
    const now = Date.now();
    const since = new Date(now - 60_000);
    const change = (userId: string, hash: string, newEmail: string, at = now) => ({
      userId,
      purpose: 'change-email' as const,
      tokenHash: hash,
      createdAt: new Date(at),
      expiresAt: later(3_600_000),
      newEmail,
    });
    t.true(await repos.tokens.createUnlessIssuedSince(change(ann.id, 'e1', 'target@example.org', now - 30_000), since));
    t.false(await repos.tokens.createUnlessIssuedSince(change(bob.id, 'e2', 'TARGET@example.org'), since), 'another user, the same address');
    t.is(await repos.tokens.findByHash('change-email', 'e2'), null);
    t.true(await repos.tokens.createUnlessIssuedSince(change(ann.id, 'e3', 'elsewhere@example.org'), since), 'the same user, another address');
    t.true(await repos.tokens.createUnlessIssuedSince(change(bob.id, 'e4', 'target@example.org', now + 31_000), new Date(now - 29_000)), 'a minute later');

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        uow.run((tx) => tx.tokens.createUnlessIssuedSince(change(i % 2 ? ann.id : bob.id, `q${i}`, 'raced@example.org'), since)),
      ),
    );
    t.is(results.filter(Boolean).length, 1);
    const stored = await Promise.all(Array.from({ length: 10 }, (_, i) => repos.tokens.findByHash('change-email', `q${i}`)));
    t.is(stored.filter((r) => r !== null).length, 1);
  });

  it("users: username and email are changed (the email verified, EmailTaken for another account's in any case); delete takes sessions and tokens along", async (t, {
    repos,
  }) => {
    const user = await repos.users.create(newUser('self@example.com'));
    await repos.users.create(newUser('other-self@example.com'));
    t.is((await repos.users.setUsername(user.id, 'Annie'))!.username, 'Annie');
    await t.throwsAsync(repos.users.setEmail(user.id, 'OTHER-self@example.com'), { instanceOf: EmailTaken });
    t.like(await repos.users.setEmail(user.id, 'Moved@example.com'), { email: 'Moved@example.com', emailVerified: true, username: 'Annie' });
    t.like(await repos.users.findByEmail('moved@example.com'), { id: user.id });
    const session = await repos.sessions.create({ userId: user.id, refreshJti: 'j', expiresAt: later(60_000) });
    await repos.tokens.create({
      userId: user.id,
      purpose: 'change-email',
      tokenHash: `h-${user.id}`,
      createdAt: new Date(),
      expiresAt: later(60_000),
      newEmail: 'n@example.com',
    });
    t.is((await repos.tokens.findByHash('change-email', `h-${user.id}`))!.newEmail, 'n@example.com');
    t.true(await repos.users.delete(user.id));
    t.is(await repos.users.findById(user.id), null);
    t.is(await repos.sessions.findById(session.id), null);
    t.is(await repos.tokens.findByHash('change-email', `h-${user.id}`), null);
    t.false(await repos.users.delete(user.id));
    t.false(await repos.users.delete('not-a-uuid'));
  });

  it('sessions: live ones listed newest first; revoked by id only for their owner; all but one revoked, their ids returned; User-Agent kept', async (t, {
    repos,
  }) => {
    const user = await repos.users.create(newUser('sessions-list@example.com'));
    const stranger = await repos.users.create(newUser('sessions-stranger@example.com'));
    const base = Date.now();
    const [a, b, c] = await Promise.all(
      [0, 1, 2].map((i) =>
        repos.sessions.create({ userId: user.id, refreshJti: `j${i}`, expiresAt: later(60_000), userAgent: `UA ${i}`, createdAt: new Date(base + i * 1000) }),
      ),
    );
    const expired = await repos.sessions.create({ userId: user.id, refreshJti: 'old', expiresAt: new Date(base - 1000), createdAt: new Date(base - 5000) });
    const now = new Date(base + 5000);
    t.deepEqual(
      (await repos.sessions.listLive(user.id, now)).map((s) => s.id),
      [c!.id, b!.id, a!.id],
    );
    t.like((await repos.sessions.listLive(user.id, now))[0], { userAgent: 'UA 2', lastUsedAt: new Date(base + 2000), createdAt: new Date(base + 2000) });
    t.is((await repos.sessions.listAllForUser(user.id)).length, 4);
    t.false(await repos.sessions.revokeForUser(stranger.id, a!.id, now));
    t.true(await repos.sessions.revokeForUser(user.id, a!.id, now));
    t.false(await repos.sessions.revokeForUser(user.id, a!.id, now));
    t.false(await repos.sessions.revokeForUser(user.id, 'not-a-uuid', now));
    // An expired session that was never revoked is revoked too (harmless, and its tombstone with it).
    t.deepEqual((await repos.sessions.revokeAllForUser(user.id, now, c!.id)).sort(), [b!.id, expired.id].sort());
    t.deepEqual(
      (await repos.sessions.listLive(user.id, now)).map((s) => s.id),
      [c!.id],
    );
    t.deepEqual(await repos.sessions.revokeAllForUser(user.id, now), [c!.id]);
    t.deepEqual(await repos.sessions.listLive(user.id, now), []);
  });

  it('sessions: touch records a use only when the last one is a minute old, and answers the recorded one', async (t, { repos }) => {
    const user = await repos.users.create(newUser('sessions-touch@example.com'));
    const created = new Date(Date.now() - 120_000);
    const session = await repos.sessions.create({ userId: user.id, refreshJti: 'j', expiresAt: later(60_000), createdAt: created });
    const first = new Date(created.getTime() + 30_000);
    t.deepEqual(await repos.sessions.touch(session.id, first), created);
    const second = new Date(created.getTime() + 61_000);
    t.deepEqual(await repos.sessions.touch(session.id, second), second);
    t.deepEqual(await repos.sessions.touch(session.id, new Date(second.getTime() + 59_000)), second);
    t.deepEqual((await repos.sessions.findById(session.id))!.lastUsedAt, second);
    t.is(await repos.sessions.touch(MISSING, second), null);
    t.is(await repos.sessions.touch('nope', second), null);
  });

  it('outbox: deleteForUser removes every message about that user, whatever its status, and no other', async (t, { repos }) => {
    const mine = '11111111-1111-4111-8111-111111111111';
    const theirs = '22222222-2222-4222-8222-222222222222';
    const a = await repos.outbox.enqueue({ userId: mine, kind: 'password-changed', to: 'a@example.com', username: 'A' }, new Date());
    const b = await repos.outbox.enqueue({ userId: mine, kind: 'account-deleted', to: 'a@example.com', username: 'A' }, new Date());
    await repos.outbox.markSent(b, new Date());
    const c = await repos.outbox.enqueue({ userId: theirs, kind: 'password-changed', to: 'b@example.com', username: 'B' }, new Date());
    t.is(await repos.outbox.deleteForUser(mine), 2);
    t.is(await repos.outbox.findById(a), null);
    t.is(await repos.outbox.findById(b), null);
    t.truthy(await repos.outbox.findById(c));
    t.is(await repos.outbox.deleteForUser('not-a-uuid'), 0);
  });

  it('contacts: listAll gives every contact of the owner, oldest first', async (t, { repos }) => {
    const user = await repos.users.create(newUser('contacts-all@example.com'));
    const other = await repos.users.create(newUser('contacts-other@example.com'));
    const fields = (firstName: string, email: string) => ({
      ...EMPTY_CONTACT_FIELDS,
      firstName,
      emails: [{ value: email, label: 'other' }],
      phones: [{ value: '+1 555 0100', label: 'mobile' }],
      birthday: '1990-01-02',
    });
    await repos.contacts.create(user.id, { fields: fields('One', 'one@example.com') }, 'refuse');
    await repos.contacts.create(user.id, { fields: fields('Two', 'two@example.com') }, 'refuse');
    await repos.contacts.create(other.id, { fields: fields('Else', 'else@example.com') }, 'refuse');
    const all = async (ownerId: string) => {
      const names: string[] = [];
      for await (const batch of repos.contacts.listAll(ownerId, 1)) names.push(...batch.map((c) => c.firstName));
      return names;
    };
    t.deepEqual(await all(user.id), ['One', 'Two']);
    t.deepEqual(await all('not-a-uuid'), []);
  });

  it('users: a locked lookup by email waits for a concurrent email switch, then no longer finds the old address', async (t, { repos, uow }) => {
    const user = await repos.users.create(newUser('locked-old@example.com'));
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let switched!: () => void;
    const switchedYet = new Promise<void>((resolve) => {
      switched = resolve;
    });
    const switching = uow.run(async (tx) => {
      await tx.users.setEmail(user.id, 'locked-new@example.com');
      switched();
      await held;
    });
    await switchedYet;
    const lookup = uow.run((tx) => tx.users.findByEmail('locked-old@example.com', { lock: true }));
    // The lookup is under way (or queued behind the switch) before the switch commits.
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await switching;
    t.is(await lookup, null, 'the lookup saw the address as it was before the switch committed');
  });

  it('a unit of work stores everything or, when it throws, nothing', async (t, { repos, uow }) => {
    await t.throwsAsync(
      uow.run(async (tx) => {
        await tx.users.create(newUser('rollback@example.com'));
        throw new Error('boom');
      }),
      { message: 'boom' },
    );
    t.is(await repos.users.findByEmail('rollback@example.com'), null);
    const user = await uow.run((tx) => tx.users.create(newUser('commit@example.com')));
    t.is((await repos.users.findByEmail('commit@example.com'))!.id, user.id);
  });
}
