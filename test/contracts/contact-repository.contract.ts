import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import type { Repositories, UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import { isBirthdayWithin, nextBirthday } from '../../src/domain/birthdays.js';
import { ContactChanged, ContactEmailTaken } from '../../src/domain/contact.errors.js';
import type { Contact, ContactFields } from '../../src/domain/contact.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface ContactRepositoryUnderTest {
  repos: Repositories;
  uow: UnitOfWork;
  close(): Promise<void>;
}

let counter = 0;
function fields(overrides: Partial<ContactFields> = {}): ContactFields {
  counter += 1;
  return {
    firstName: 'Ann',
    lastName: 'Lee',
    email: `contact${counter}@example.com`,
    phone: '+1 555 0100',
    birthday: '1990-04-01',
    notes: null,
    ...overrides,
  };
}

const ids = (contacts: Contact[]) => contacts.map((c) => c.id);

/**
 * One contract for every ContactRepository: the in-memory fake and the Knex adapter on PGlite and
 * on PostgreSQL must give the same answers. One store per subject; each test works in the books of
 * owners of its own, which is also what isolates them.
 */
export function contactRepositoryContract(subject: ContractSubject<ContactRepositoryUnderTest>): void {
  const test = contractTest(subject);
  const newOwner = (repos: Repositories) => async () => {
    const user = await repos.users.create({ username: 'Owner', email: `owner-${randomUUID()}@example.com`, passwordHash: 'x', avatarUrl: 'x' });
    return user.id;
  };
  const it = (title: string, body: (t: ExecutionContext, repos: Repositories, newOwner: () => Promise<string>) => Promise<void>) =>
    test(title, (t, { repos }) => body(t, repos, newOwner(repos)));

  it('create stores every field and findById gives back the same contact', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const input = fields({ firstName: 'Zoë 😀', lastName: 'Nguyễn', notes: 'line one\nline two', birthday: '2000-02-29' });
    const created = await repos.contacts.create(owner, input);
    t.like(created, { ...input, userId: owner });
    t.regex(created.id, /^[0-9a-f-]{36}$/);
    t.regex(created.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    t.is(created.updatedAt, created.createdAt);
    t.deepEqual(await repos.contacts.findById(owner, created.id), created);
  });

  it('names and notes round-trip byte-exact, including decomposed accents and astral characters', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const decomposed = 'Zoe\u0308'; // not normalised to 'Zoë'
    const created = await repos.contacts.create(owner, fields({ firstName: decomposed, lastName: '李 𠮷', notes: '🏳️‍🌈' }));
    const found = (await repos.contacts.findById(owner, created.id))!;
    t.deepEqual(Buffer.from(found.firstName), Buffer.from(decomposed));
    t.deepEqual(Buffer.from(found.lastName), Buffer.from('李 𠮷'));
    t.is(found.notes, '🏳️‍🌈');
  });

  it('findById is null for another owner, an unknown id and a malformed id', async (t, repos, newOwner) => {
    const [owner, other] = [await newOwner(), await newOwner()];
    const created = await repos.contacts.create(owner, fields());
    t.is(await repos.contacts.findById(other, created.id), null);
    t.is(await repos.contacts.findById(owner, randomUUID()), null);
    for (const bad of ['not-a-uuid', '', "1' OR '1'='1", `${created.id}x`]) t.is(await repos.contacts.findById(owner, bad), null);
  });

  it("an email already in the owner's book, in any case, throws ContactEmailTaken; another owner may use it", async (t, repos, newOwner) => {
    const [owner, other] = [await newOwner(), await newOwner()];
    const first = await repos.contacts.create(owner, fields({ email: 'Same@Example.com' }));
    await t.throwsAsync(repos.contacts.create(owner, fields({ email: 'same@EXAMPLE.com' })), { instanceOf: ContactEmailTaken });
    await t.notThrowsAsync(repos.contacts.create(other, fields({ email: 'same@example.com' })));
    const second = await repos.contacts.create(owner, fields());
    await t.throwsAsync(repos.contacts.update(owner, second.id, { email: 'SAME@example.com' }), { instanceOf: ContactEmailTaken });
    t.is((await repos.contacts.findById(owner, second.id))!.email, second.email);
    t.is((await repos.contacts.update(owner, first.id, { email: 'same@example.com' }))!.email, 'same@example.com');
  });

  it('update sets only the given fields and moves updatedAt, never createdAt', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const created = await repos.contacts.create(owner, fields({ notes: 'keep me' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await repos.contacts.update(owner, created.id, { lastName: 'Park', birthday: '1985-12-31' });
    t.deepEqual({ ...updated!, updatedAt: created.updatedAt }, { ...created, lastName: 'Park', birthday: '1985-12-31', version: 2 });
    t.true(updated!.updatedAt > created.updatedAt);
    t.deepEqual(await repos.contacts.findById(owner, created.id), updated);
    t.is((await repos.contacts.update(owner, created.id, { notes: null }))!.notes, null);
  });

  it("update is null and changes nothing for another owner's contact, an unknown id or a malformed id", async (t, repos, newOwner) => {
    const [owner, other] = [await newOwner(), await newOwner()];
    const created = await repos.contacts.create(owner, fields());
    t.is(await repos.contacts.update(other, created.id, { firstName: 'Mallory' }), null);
    t.is(await repos.contacts.update(owner, randomUUID(), { firstName: 'Mallory' }), null);
    t.is(await repos.contacts.update(owner, 'nope', { firstName: 'Mallory' }), null);
    t.deepEqual(await repos.contacts.findById(owner, created.id), created);
  });

  it("delete removes the owner's contact once; another owner's contact stays", async (t, repos, newOwner) => {
    const [owner, other] = [await newOwner(), await newOwner()];
    const created = await repos.contacts.create(owner, fields());
    t.false(await repos.contacts.delete(other, created.id));
    t.false(await repos.contacts.delete(owner, 'nope'));
    t.truthy(await repos.contacts.findById(owner, created.id));
    t.true(await repos.contacts.delete(owner, created.id));
    t.false(await repos.contacts.delete(owner, created.id));
    t.is(await repos.contacts.findById(owner, created.id), null);
  });

  it('search by q matches first name, last name or email as a case-insensitive substring', async (t, repos, newOwner) => {
    const [owner, other] = [await newOwner(), await newOwner()];
    const byFirst = await repos.contacts.create(owner, fields({ firstName: 'Annabel', lastName: 'Smith' }));
    const byLast = await repos.contacts.create(owner, fields({ firstName: 'Bob', lastName: 'Hanna' }));
    const byEmail = await repos.contacts.create(owner, fields({ firstName: 'Carl', lastName: 'Jones', email: `joANNe${counter}@example.com` }));
    await repos.contacts.create(owner, fields({ firstName: 'Dora', lastName: 'Marsh' }));
    await repos.contacts.create(other, fields({ firstName: 'Anna', lastName: 'Other' }));
    const page = await repos.contacts.search(owner, { q: 'ANN', limit: 20, offset: 0 });
    t.deepEqual(ids(page.items).sort(), ids([byFirst, byLast, byEmail]).sort());
    t.is(page.total, 3);
    t.deepEqual((await repos.contacts.search(owner, { q: 'émile', limit: 20, offset: 0 })).items, []);
    const accented = await repos.contacts.create(owner, fields({ firstName: 'Émile' }));
    t.deepEqual(ids((await repos.contacts.search(owner, { q: 'émile', limit: 20, offset: 0 })).items), [accented.id]);
  });

  it('field filters each match their own field and combine with each other and with q', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const ann = await repos.contacts.create(owner, fields({ firstName: 'Ann', lastName: 'Lee', email: `ann.lee${counter}@work.example` }));
    await repos.contacts.create(owner, fields({ firstName: 'Ann', lastName: 'Kim' }));
    await repos.contacts.create(owner, fields({ firstName: 'Lee', lastName: 'Ann' }));
    t.is((await repos.contacts.search(owner, { firstName: 'ann', limit: 20, offset: 0 })).total, 2);
    t.deepEqual(ids((await repos.contacts.search(owner, { firstName: 'ann', lastName: 'LEE', limit: 20, offset: 0 })).items), [ann.id]);
    t.deepEqual(ids((await repos.contacts.search(owner, { email: 'WORK.example', limit: 20, offset: 0 })).items), [ann.id]);
    t.deepEqual(ids((await repos.contacts.search(owner, { q: 'kim', firstName: 'lee', limit: 20, offset: 0 })).items), []);
  });

  it('%, _ and \\ in a search are taken literally', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const percent = await repos.contacts.create(owner, fields({ lastName: '100% Real' }));
    const underscore = await repos.contacts.create(owner, fields({ lastName: 'snake_case' }));
    const backslash = await repos.contacts.create(owner, fields({ lastName: 'back\\slash' }));
    await repos.contacts.create(owner, fields({ lastName: 'snakeXcase 100 Real' }));
    const find = async (q: string) => ids((await repos.contacts.search(owner, { q, limit: 20, offset: 0 })).items);
    t.deepEqual(await find('%'), [percent.id]);
    t.deepEqual(await find('0% r'), [percent.id]);
    t.deepEqual(await find('_'), [underscore.id]);
    t.deepEqual(await find('e_c'), [underscore.id]);
    t.deepEqual(await find('\\'), [backslash.id]);
    t.deepEqual(await find('k\\s'), [backslash.id]);
    t.deepEqual(await find('\\%'), []);
  });

  it('pages follow one stable order, oldest first, with the total of all matches', async (t, repos, newOwner) => {
    const owner = await newOwner();
    for (let i = 0; i < 7; i++) await repos.contacts.create(owner, fields({ firstName: `P${i}` }));
    const all = await repos.contacts.search(owner, { limit: 100, offset: 0 });
    t.is(all.total, 7);
    for (let i = 1; i < all.items.length; i++) t.true(all.items[i - 1]!.createdAt <= all.items[i]!.createdAt);
    const pages = [];
    for (let offset = 0; offset < 7; offset += 3) {
      const page = await repos.contacts.search(owner, { limit: 3, offset });
      t.is(page.total, 7);
      pages.push(...page.items);
    }
    t.deepEqual(ids(pages), ids(all.items));
    t.deepEqual(ids((await repos.contacts.search(owner, { limit: 100, offset: 0 })).items), ids(all.items));
    t.deepEqual(await repos.contacts.search(owner, { limit: 3, offset: 7 }), { items: [], total: 7 });
    t.deepEqual(await repos.contacts.search(owner, { limit: 3, offset: Number.MAX_SAFE_INTEGER }), { items: [], total: 7 });
  });

  it('a filtered search pages its matches in the same order, with their total, also past the last page', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const matching = [];
    for (let i = 0; i < 9; i++) {
      const contact = await repos.contacts.create(owner, fields({ firstName: i % 2 === 0 ? `Match${i}` : `Other${i}`, lastName: `L${i}` }));
      if (i % 2 === 0) matching.push(contact);
    }
    const pages = [];
    for (let offset = 0; offset < 5; offset += 2) {
      const page = await repos.contacts.search(owner, { q: 'match', limit: 2, offset });
      t.is(page.total, 5);
      pages.push(...page.items);
    }
    t.deepEqual(ids(pages), ids(matching));
    t.deepEqual(await repos.contacts.search(owner, { q: 'match', limit: 2, offset: 5 }), { items: [], total: 5 });
    t.deepEqual(await repos.contacts.search(owner, { firstName: 'match', lastName: 'l4', limit: 2, offset: 9 }), { items: [], total: 1 });
    t.deepEqual(ids((await repos.contacts.search(owner, { firstName: 'match', lastName: 'l4', limit: 2, offset: 0 })).items), [matching[2]!.id]);
    t.deepEqual(await repos.contacts.search(owner, { q: 'nobody', limit: 2, offset: 0 }), { items: [], total: 0 });
  });

  it('birthdays wrap from 31 December to 1 January, soonest first, in the owner book only', async (t, repos, newOwner) => {
    const [owner, other] = [await newOwner(), await newOwner()];
    const dec31 = await repos.contacts.create(owner, fields({ birthday: '1980-12-31' }));
    const jan1 = await repos.contacts.create(owner, fields({ birthday: '1985-01-01' }));
    const jan7 = await repos.contacts.create(owner, fields({ birthday: '1999-01-07' }));
    await repos.contacts.create(owner, fields({ birthday: '1990-12-30' }));
    await repos.contacts.create(owner, fields({ birthday: '1990-01-08' }));
    await repos.contacts.create(other, fields({ birthday: '1985-01-01' }));
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, '2026-12-31', 7)), ids([dec31, jan1, jan7]));
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, '2026-12-31', 0)), ids([dec31]));
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, '2027-01-01', 6)), ids([jan1, jan7]));
  });

  it('a 29 February birthday falls on 28 February in common years and on 29 February in leap years', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const leapling = await repos.contacts.create(owner, fields({ birthday: '2000-02-29' }));
    const feb28 = await repos.contacts.create(owner, fields({ birthday: '1970-02-28' }));
    const mar1 = await repos.contacts.create(owner, fields({ birthday: '1970-03-01' }));
    const upcoming = async (today: string, days: number) => ids(await repos.contacts.upcomingBirthdays(owner, today, days));
    // 2027 is a common year.
    t.deepEqual((await upcoming('2027-02-28', 0)).sort(), ids([leapling, feb28]).sort());
    t.deepEqual(await upcoming('2027-03-01', 0), [mar1.id]);
    t.deepEqual(await upcoming('2027-03-01', 300), [mar1.id]);
    // 2028 is a leap year.
    t.deepEqual(await upcoming('2028-02-28', 0), [feb28.id]);
    t.deepEqual(await upcoming('2028-02-28', 1), ids([feb28, leapling]));
    t.deepEqual(await upcoming('2028-02-29', 1), ids([leapling, mar1]));
  });

  it('birthdays agree with the domain rule for every day and window tried', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const birthdays = [
      '1990-01-01',
      '1991-01-02',
      '2000-02-29',
      '--02-29',
      '1992-02-28',
      '--03-01',
      '1993-03-01',
      '1994-06-15',
      '--06-15',
      '1995-12-30',
      '1996-12-31',
      '--12-31',
    ];
    const contacts: Contact[] = [];
    for (const birthday of birthdays) contacts.push(await repos.contacts.create(owner, fields({ birthday })));
    for (const today of ['2026-12-31', '2027-01-01', '2027-02-27', '2027-02-28', '2027-03-01', '2028-02-28', '2028-02-29', '2028-06-15', '2100-02-28']) {
      for (const days of [0, 1, 2, 7, 59, 300, 364, 365, 366]) {
        const expected = contacts
          .filter((c) => isBirthdayWithin(c.birthday!, today, days))
          .sort((a, b) => nextBirthday(a.birthday!, today).localeCompare(nextBirthday(b.birthday!, today)) || (a.id < b.id ? -1 : 1));
        t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, today, days)), ids(expected), `${today} +${days}`);
      }
    }
  });

  it('optional fields are stored as null (lastName as ""), and contacts without an email never clash', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const bare = { firstName: 'Solo', lastName: '', email: null, phone: null, birthday: null, notes: null };
    const one = await repos.contacts.create(owner, bare);
    const two = await repos.contacts.create(owner, bare);
    t.like(one, bare);
    t.deepEqual(await repos.contacts.findById(owner, two.id), two);
    const page = await repos.contacts.search(owner, { q: 'solo', limit: 20, offset: 0 });
    t.deepEqual(ids(page.items), [one.id, two.id]);
    t.is((await repos.contacts.search(owner, { email: 'example', limit: 20, offset: 0 })).total, 0);
    const cleared = await repos.contacts.update(owner, (await repos.contacts.create(owner, fields())).id, { email: null, phone: null, birthday: null });
    t.like(cleared, { email: null, phone: null, birthday: null });
  });

  it('a birthday without a year is kept as --MM-DD and listed among the upcoming ones', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const leap = await repos.contacts.create(owner, fields({ birthday: '--02-29' }));
    const may = await repos.contacts.create(owner, fields({ birthday: '--05-17' }));
    t.is((await repos.contacts.findById(owner, leap.id))!.birthday, '--02-29');
    t.is(may.birthday, '--05-17');
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, '2027-02-28', 0)), [leap.id]);
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, '2028-02-28', 0)), []);
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, '2028-02-29', 0)), [leap.id]);
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(owner, '2027-05-10', 7)), [may.id]);
    const changed = await repos.contacts.update(owner, may.id, { birthday: '1980-05-17' });
    t.is(changed!.birthday, '1980-05-17');
  });

  it('the version starts at 1 and every write adds one', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const created = await repos.contacts.create(owner, fields());
    t.is(created.version, 1);
    t.is((await repos.contacts.update(owner, created.id, { notes: 'a' }))!.version, 2);
    t.is((await repos.contacts.update(owner, created.id, { notes: 'a' }))!.version, 3);
    t.is((await repos.contacts.findById(owner, created.id))!.version, 3);
  });

  it('a conditional write on a stale version throws ContactChanged and changes nothing', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const created = await repos.contacts.create(owner, fields({ notes: 'before' }));
    await repos.contacts.update(owner, created.id, { notes: 'moved on' });
    await t.throwsAsync(repos.contacts.update(owner, created.id, { notes: 'stale' }, [1]), { instanceOf: ContactChanged });
    await t.throwsAsync(repos.contacts.delete(owner, created.id, [1]), { instanceOf: ContactChanged });
    t.like(await repos.contacts.findById(owner, created.id), { notes: 'moved on', version: 2 });
    t.like(await repos.contacts.update(owner, created.id, { notes: 'current' }, [2]), { notes: 'current', version: 3 });
    t.is(await repos.contacts.update(owner, randomUUID(), { notes: 'x' }, [1]), null);
    t.false(await repos.contacts.delete(owner, randomUUID(), [1]));
    t.true(await repos.contacts.delete(owner, created.id, [3]));
  });

  it('parallel conditional writes on one version: exactly one wins', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const created = await repos.contacts.create(owner, fields());
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => repos.contacts.update(owner, created.id, { notes: `writer ${i}` }, [created.version])),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    t.is(won.length, 1);
    t.true(results.every((r) => r.status === 'fulfilled' || r.reason instanceof ContactChanged));
    const stored = (await repos.contacts.findById(owner, created.id))!;
    t.is(stored.version, 2);
    t.is(stored.notes, (won[0] as PromiseFulfilledResult<Contact | null>).value!.notes);
  });

  it('createMany stores in order and reports emails already in the book or earlier in the list', async (t, repos, newOwner) => {
    const owner = await newOwner();
    const existing = await repos.contacts.create(owner, fields({ email: 'Taken@Example.com' }));
    const list = [
      fields({ firstName: 'A', email: 'a@example.com' }),
      fields({ firstName: 'B', email: 'taken@example.COM' }),
      fields({ firstName: 'C', email: null }),
      fields({ firstName: 'D', email: null }),
      fields({ firstName: 'E', email: 'A@example.com' }),
      // Past one batch of 500 rows per INSERT.
      ...Array.from({ length: 520 }, (_, i) => fields({ firstName: `Bulk ${i}`, birthday: '--01-02' })),
    ];
    const stored = await repos.contacts.createMany(owner, list);
    t.deepEqual(stored.slice(0, 5), [true, false, true, true, false]);
    t.true(stored.slice(5).every(Boolean));
    const all: Contact[] = [];
    for await (const batch of repos.contacts.listAll(owner, 200)) {
      t.true(batch.length <= 200);
      all.push(...batch);
    }
    t.is(all.length, 1 + 3 + 520);
    t.is(new Set(ids(all)).size, all.length);
    t.true(ids(all).includes(existing.id));
    t.like(
      all.find((c) => c.firstName === 'Bulk 7'),
      { birthday: '--01-02', version: 1, lastName: 'Lee' },
    );
  });

  // Serial (ava runs serial tests before the others): the in-memory unit of work rolls back by
  // restoring whole tables, which would also undo what tests running alongside wrote.
  test.serial('a unit of work that fails leaves no contact behind', async (t, { repos, uow }) => {
    const owner = (await repos.users.create({ username: 'Owner', email: `owner-${randomUUID()}@example.com`, passwordHash: 'x', avatarUrl: 'x' })).id;
    const kept = await repos.contacts.create(owner, fields());
    await t.throwsAsync(
      uow.run(async ({ contacts }) => {
        await contacts.create(owner, fields({ firstName: 'Ghost' }));
        await contacts.update(owner, kept.id, { firstName: 'Changed' });
        await contacts.create(owner, fields({ email: kept.email!.toUpperCase() }));
      }),
      { instanceOf: ContactEmailTaken },
    );
    const page = await repos.contacts.search(owner, { limit: 20, offset: 0 });
    t.deepEqual(ids(page.items), [kept.id]);
    t.is(page.items[0]!.firstName, kept.firstName);
  });
}
