import type { ExecutionContext } from 'ava';
import { randomUUID } from 'node:crypto';
import type { FeedChange, NewContact } from '../../src/application/ports/contact-repository.js';
import type { Repositories, UnitOfWork } from '../../src/application/ports/unit-of-work.js';
import { isBirthdayWithin, nextBirthday } from '../../src/domain/birthdays.js';
import { ContactChanged, ContactEmailTaken } from '../../src/domain/contact.errors.js';
import { type Contact, type ContactFields, type ContactQuery, EMPTY_CONTACT_FIELDS, type KeptCard } from '../../src/domain/contact.js';
import { InvalidSyncToken, type SyncPosition, SyncTokenExpired } from '../../src/domain/sync.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface ContactRepositoryUnderTest {
  repos: Repositories;
  uow: UnitOfWork;
  close(): Promise<void>;
}

let counter = 0;
/** A contact's fields: a name, one email of its own (`email: null` for none), a birthday; overrides win. */
function fields(overrides: Partial<ContactFields> & { email?: string | null } = {}): ContactFields {
  counter += 1;
  const { email = `contact${counter}@example.com`, ...rest } = overrides;
  return {
    ...EMPTY_CONTACT_FIELDS,
    firstName: 'Ann',
    lastName: 'Lee',
    emails: email === null ? [] : [{ value: email, label: 'home' }],
    phones: [{ value: '+1 555 0100', label: 'mobile' }],
    birthday: '1990-04-01',
    ...rest,
  };
}
const card = (uid: string): KeptCard => ({
  uid,
  properties: [
    { group: 'item1', name: 'X-ABLABEL', params: [], value: 'Twitter' },
    { group: null, name: 'IMPP', params: [{ name: 'TYPE', values: ['home', 'pref'] }], value: 'xmpp:ann@example.com' },
  ],
});
const query = (q: Partial<ContactQuery> = {}): ContactQuery => ({ sort: 'created', limit: 100, offset: 0, ...q });
const ids = (contacts: readonly { id: string }[]) => contacts.map((c) => c.id);
const sortedIds = (contacts: readonly { id: string }[]) => ids(contacts).sort();

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
  interface Book {
    owner: string;
    /** Creates a contact under `refuse` (REST), or as asked. */
    add(overrides?: Parameters<typeof fields>[0], taken?: 'refuse' | 'allow', card?: KeptCard | null): Promise<Contact>;
    find(q?: Partial<ContactQuery>): Promise<string[]>;
  }
  const bookOf = (repos: Repositories, owner: string): Book => ({
    owner,
    add: (overrides, taken = 'refuse', kept) => repos.contacts.create(owner, { fields: fields(overrides), card: kept }, taken),
    find: async (q) => ids((await repos.contacts.search(owner, query(q))).items),
  });
  const it = (title: string, body: (t: ExecutionContext, repos: Repositories, newBook: () => Promise<Book>) => Promise<void>) =>
    test(title, (t, { repos }) => body(t, repos, async () => bookOf(repos, await newOwner(repos)())));

  it('create stores every field and the card, and findById gives back the same contact', async (t, repos, newBook) => {
    const book = await newBook();
    const input = fields({
      firstName: 'Zoë 😀',
      lastName: 'Nguyễn',
      middleName: 'Q',
      prefix: 'Dr.',
      suffix: 'Jr.',
      nickname: 'Zo',
      organization: 'ACME',
      department: 'R&D',
      jobTitle: 'Chief "Tester"',
      emails: [
        { value: 'zoe@example.com', label: 'work' },
        { value: 'zoe@home.example', label: 'Tennis club' },
      ],
      phones: [
        { value: '+1 (555) 010-0', label: 'mobile' },
        { value: '555 0101 x12', label: 'fax' },
      ],
      addresses: [
        { label: 'home', poBox: '', extended: 'Apt 4', street: '1 Main St', locality: 'Springfield', region: 'IL', postalCode: '62701', country: 'USA' },
      ],
      urls: [{ value: 'https://example.com/zoe?a=1', label: 'other' }],
      birthday: '2000-02-29',
      anniversary: '--06-01',
      notes: 'line one\nline two',
      labels: ['Family', 'Tennis, "club"', 'back\\slash'],
    });
    const created = await repos.contacts.create(book.owner, { fields: input, card: card('uid-1') }, 'refuse');
    t.deepEqual(
      { ...created, id: '', createdAt: '', updatedAt: '' },
      {
        ...input,
        id: '',
        userId: book.owner,
        version: 1,
        photo: null,
        card: card('uid-1'),
        createdAt: '',
        updatedAt: '',
      },
    );
    t.regex(created.id, /^[0-9a-f-]{36}$/);
    t.regex(created.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    t.is(created.updatedAt, created.createdAt);
    const found = await repos.contacts.findById(book.owner, created.id);
    t.deepEqual(found, created);
    // Key order of every entry as the model writes it.
    t.deepEqual(Object.keys(found!.addresses[0]!), ['label', 'poBox', 'extended', 'street', 'locality', 'region', 'postalCode', 'country']);
    t.deepEqual(Object.keys(found!.emails[0]!), ['value', 'label']);
    t.deepEqual((await book.add({ firstName: 'Plain' })).card, null);
  });

  it('names and notes round-trip byte-exact, including decomposed accents and astral characters', async (t, repos, newBook) => {
    const book = await newBook();
    const decomposed = 'Zoe\u0308'; // not normalised to 'Zoë'
    const created = await book.add({ firstName: decomposed, lastName: '李 𠮷', notes: '🏳️‍🌈' });
    const found = (await repos.contacts.findById(book.owner, created.id))!;
    t.deepEqual(Buffer.from(found.firstName), Buffer.from(decomposed));
    t.deepEqual(Buffer.from(found.lastName), Buffer.from('李 𠮷'));
    t.is(found.notes, '🏳️‍🌈');
  });

  it('findById and findByIds see only the owner’s contacts; unknown and malformed ids are left out', async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const [one, two] = [await book.add(), await book.add()];
    const theirs = await other.add();
    t.is(await repos.contacts.findById(other.owner, one.id), null);
    t.is(await repos.contacts.findById(book.owner, randomUUID()), null);
    for (const bad of ['not-a-uuid', '', "1' OR '1'='1", `${one.id}x`]) t.is(await repos.contacts.findById(book.owner, bad), null);
    const found = await repos.contacts.findByIds(book.owner, [two.id, 'nope', theirs.id, one.id, randomUUID(), one.id]);
    t.deepEqual(sortedIds(found), sortedIds([one, two]));
    t.deepEqual(
      found.find((c) => c.id === one.id),
      one,
    );
    t.deepEqual(await repos.contacts.findByIds(book.owner, []), []);
  });

  it('refuse: an email another contact of the book holds, in any case and any position, throws ContactEmailTaken naming it', async (t, _repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const holder = await book.add({
      emails: [
        { value: 'first@example.com', label: 'home' },
        { value: 'Same@Example.com', label: 'work' },
      ],
    });
    const error = await t.throwsAsync(
      book.add({
        emails: [
          { value: 'new@example.com', label: 'home' },
          { value: 'same@EXAMPLE.com', label: 'work' },
        ],
      }),
      {
        instanceOf: ContactEmailTaken,
      },
    );
    t.is(error?.holderId, holder.id);
    await t.notThrowsAsync(other.add({ email: 'same@example.com' }));
    t.deepEqual(await book.find(), [holder.id]);
  });

  it('allow: CardDAV and merges store a contact whose email the book already holds', async (t, repos, newBook) => {
    const book = await newBook();
    const first = await book.add({ email: 'shared@example.com' });
    const second = await book.add({ email: 'SHARED@example.com' }, 'allow');
    t.deepEqual(await book.find({ email: 'shared' }), [first.id, second.id]);
    // A later REST write that adds no address is not refused for the shared one…
    const renamed = await repos.contacts.update(book.owner, second.id, { fields: { firstName: 'Renamed' } }, 'refuse');
    t.is(renamed!.firstName, 'Renamed');
    const whole = await repos.contacts.update(book.owner, second.id, { fields: { ...fields({ email: 'shared@example.com' }), firstName: 'Whole' } }, 'refuse');
    t.is(whole!.firstName, 'Whole');
    // …but one that gains another taken address is.
    const third = await book.add({ email: 'third@example.com' });
    const error = await t.throwsAsync(
      repos.contacts.update(book.owner, second.id, { fields: { emails: [...second.emails, { value: 'Third@example.com', label: 'work' }] } }, 'refuse'),
      { instanceOf: ContactEmailTaken },
    );
    t.is(error?.holderId, third.id);
    await t.throwsAsync(repos.contacts.update(book.owner, second.id, { fields: fields({ email: 'third@example.com' }) }, 'refuse'), {
      instanceOf: ContactEmailTaken,
    });
    t.like(await repos.contacts.findById(book.owner, second.id), { firstName: 'Whole', version: 3 });
    // Under allow the update goes through.
    const merged = await repos.contacts.update(book.owner, second.id, { fields: { emails: [{ value: 'third@example.com', label: 'work' }] } }, 'allow');
    t.deepEqual(merged!.emails, [{ value: 'third@example.com', label: 'work' }]);
  });

  it('refuse: a contact may keep or re-case its own email, and take one freed by a delete', async (t, repos, newBook) => {
    const book = await newBook();
    const ann = await book.add({ email: 'ann@example.com' });
    const updated = await repos.contacts.update(book.owner, ann.id, { fields: { emails: [{ value: 'ANN@example.com', label: 'work' }] } }, 'refuse');
    t.deepEqual(updated!.emails, [{ value: 'ANN@example.com', label: 'work' }]);
    const bob = await book.add({ email: 'bob@example.com' });
    await t.throwsAsync(book.add({ email: 'bob@example.com' }), { instanceOf: ContactEmailTaken });
    t.true(await repos.contacts.delete(book.owner, bob.id));
    await t.notThrowsAsync(book.add({ email: 'bob@example.com' }));
  });

  it('refuse: parallel creates with one email, exactly one wins', async (t, repos, newBook) => {
    const book = await newBook();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => book.add({ firstName: `Racer ${i}`, email: 'race@example.com' })));
    t.is(results.filter((r) => r.status === 'fulfilled').length, 1);
    t.true(results.every((r) => r.status === 'fulfilled' || r.reason instanceof ContactEmailTaken));
    t.is((await repos.contacts.search(book.owner, query({ email: 'race@' }))).total, 1);
  });

  it('refuse: parallel updates that each gain one email, exactly one wins', async (t, repos, newBook) => {
    const book = await newBook();
    const contacts = [await book.add(), await book.add(), await book.add()];
    const results = await Promise.allSettled(
      contacts.map((c) =>
        repos.contacts.update(book.owner, c.id, { fields: { emails: [...c.emails, { value: 'gained@example.com', label: 'work' }] } }, 'refuse'),
      ),
    );
    t.is(results.filter((r) => r.status === 'fulfilled').length, 1);
    t.is((await repos.contacts.search(book.owner, query({ email: 'gained@' }))).total, 1);
  });

  it('update sets only the given fields, bumps version and updatedAt, never createdAt; the card stays unless given', async (t, repos, newBook) => {
    const book = await newBook();
    const created = await book.add({ notes: 'keep me', labels: ['Work'] }, 'allow', card('kept'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await repos.contacts.update(
      book.owner,
      created.id,
      { fields: { lastName: 'Park', birthday: '1985-12-31', anniversary: '2001-07-04' } },
      'refuse',
    );
    t.deepEqual({ ...updated!, updatedAt: created.updatedAt }, { ...created, lastName: 'Park', birthday: '1985-12-31', anniversary: '2001-07-04', version: 2 });
    t.true(updated!.updatedAt > created.updatedAt);
    t.deepEqual(await repos.contacts.findById(book.owner, created.id), updated);
    t.is((await repos.contacts.update(book.owner, created.id, { fields: { notes: null } }, 'refuse'))!.notes, null);
    t.deepEqual((await repos.contacts.update(book.owner, created.id, { fields: {}, card: card('new') }, 'allow'))!.card, card('new'));
    t.is((await repos.contacts.update(book.owner, created.id, { fields: fields(), card: null }, 'allow'))!.card, null);
    // What search reads follows the fields.
    t.deepEqual(await book.find({ q: 'park' }), []);
    await repos.contacts.update(book.owner, created.id, { fields: { nickname: 'Parky' } }, 'refuse');
    t.deepEqual(await book.find({ q: 'parky' }), [created.id]);
  });

  it("update is null and changes nothing for another owner's contact, an unknown id or a malformed id", async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const created = await book.add();
    for (const taken of ['refuse', 'allow'] as const) {
      t.is(await repos.contacts.update(other.owner, created.id, { fields: { firstName: 'Mallory' } }, taken), null);
      t.is(await repos.contacts.update(book.owner, randomUUID(), { fields: fields() }, taken), null);
      t.is(await repos.contacts.update(book.owner, 'nope', { fields: { firstName: 'Mallory' } }, taken), null);
    }
    t.deepEqual(await repos.contacts.findById(book.owner, created.id), created);
  });

  it("delete removes the owner's contact once; another owner's contact stays", async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const created = await book.add();
    t.false(await repos.contacts.delete(other.owner, created.id));
    t.false(await repos.contacts.delete(book.owner, 'nope'));
    t.truthy(await repos.contacts.findById(book.owner, created.id));
    t.true(await repos.contacts.delete(book.owner, created.id));
    t.false(await repos.contacts.delete(book.owner, created.id));
    t.is(await repos.contacts.findById(book.owner, created.id), null);
  });

  it('q matches any name field, nickname, organization, any email and any label, ignoring case and accents', async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const byFirst = await book.add({ firstName: 'Annabel', lastName: 'Smith' });
    const byLast = await book.add({ firstName: 'Bob', lastName: 'Hanna' });
    const byEmail = await book.add({
      firstName: 'Carl',
      lastName: 'Jones',
      emails: [
        { value: 'c@x.example', label: 'home' },
        { value: 'joANNe@example.com', label: 'work' },
      ],
    });
    const byMiddle = await book.add({ firstName: 'Dan', lastName: 'Ito', middleName: 'Johann' });
    const byNick = await book.add({ firstName: 'Eve', lastName: 'Ng', nickname: 'Nanny' });
    const byOrg = await book.add({ firstName: '', lastName: '', organization: 'Annex Ltd' });
    const byLabel = await book.add({ firstName: 'Fay', lastName: 'Roe', labels: ['Planning'] });
    await book.add({ firstName: 'Dora', lastName: 'Marsh', notes: 'ann', jobTitle: 'Ann', department: 'Ann' });
    await other.add({ firstName: 'Anna', lastName: 'Other' });
    const page = await repos.contacts.search(book.owner, query({ q: 'ANN' }));
    t.deepEqual(sortedIds(page.items), sortedIds([byFirst, byLast, byEmail, byMiddle, byNick, byOrg, byLabel]));
    t.is(page.total, 7);
    const accented = await book.add({ firstName: 'Émile', lastName: 'Zoë' });
    for (const q of ['émile', 'EMILE', 'emi', 'zoe', 'ZOË', 'Ｚoe']) t.deepEqual(await book.find({ q }), [accented.id], q);
  });

  it('q written like a phone number finds a phone by its digits, whatever the formatting', async (t, _repos, newBook) => {
    const book = await newBook();
    const formatted = await book.add({ phones: [{ value: '+1 (555) 010-0', label: 'mobile' }] });
    const second = await book.add({
      phones: [
        { value: '030 1234', label: 'home' },
        { value: '555.0100 x7', label: 'work' },
      ],
    });
    await book.add({ phones: [{ value: '555 0200', label: 'home' }] });
    t.deepEqual(await book.find({ q: '5550100' }), [formatted.id, second.id]);
    t.deepEqual(await book.find({ q: '555-0100' }), [formatted.id, second.id]);
    t.deepEqual(await book.find({ q: '(555) 010-0' }), [formatted.id, second.id]);
    t.deepEqual(await book.find({ q: '0301234' }), [second.id]);
    t.deepEqual(await book.find({ q: '99999' }), []);
  });

  it('field filters each match their own field (email any of them, label exact but for case) and combine with q', async (t, repos, newBook) => {
    const book = await newBook();
    const ann = await book.add({
      firstName: 'Ann',
      lastName: 'Lee',
      emails: [
        { value: 'a@x.example', label: 'home' },
        { value: 'ann.lee@work.example', label: 'work' },
      ],
      labels: ['Work'],
    });
    const kim = await book.add({ firstName: 'Ann', lastName: 'Kim', labels: ['work', 'Workshop'] });
    await book.add({ firstName: 'Lee', lastName: 'Ann', labels: ['Workshop'] });
    t.is((await repos.contacts.search(book.owner, query({ firstName: 'ann' }))).total, 2);
    t.deepEqual(await book.find({ firstName: 'ann', lastName: 'LEE' }), [ann.id]);
    t.deepEqual(await book.find({ email: 'WORK.example' }), [ann.id]);
    t.deepEqual(await book.find({ q: 'kim', firstName: 'lee' }), []);
    t.deepEqual(await book.find({ label: 'WORK' }), [ann.id, kim.id]);
    t.deepEqual(await book.find({ label: 'work', q: 'kim' }), [kim.id]);
    t.deepEqual(await book.find({ label: 'wor' }), []);
  });

  it('%, _ and \\ in a search are taken literally', async (t, _repos, newBook) => {
    const book = await newBook();
    const percent = await book.add({ lastName: '100% Real' });
    const underscore = await book.add({ lastName: 'snake_case' });
    const backslash = await book.add({ lastName: 'back\\slash' });
    await book.add({ lastName: 'snakeXcase 100 Real' });
    t.deepEqual(await book.find({ q: '%' }), [percent.id]);
    t.deepEqual(await book.find({ q: '0% r' }), [percent.id]);
    t.deepEqual(await book.find({ q: '_' }), [underscore.id]);
    t.deepEqual(await book.find({ q: 'e_c' }), [underscore.id]);
    t.deepEqual(await book.find({ q: '\\' }), [backslash.id]);
    t.deepEqual(await book.find({ q: 'k\\s' }), [backslash.id]);
    t.deepEqual(await book.find({ q: '\\%' }), []);
    t.deepEqual(await book.find({ lastName: '%' }), [percent.id]);
    t.deepEqual(await book.find({ email: '_' }), []);
  });

  it('pages follow one stable order, oldest first, with the total of all matches', async (t, repos, newBook) => {
    const book = await newBook();
    for (let i = 0; i < 7; i++) await book.add({ firstName: `P${i}` });
    const all = await repos.contacts.search(book.owner, query());
    t.is(all.total, 7);
    t.deepEqual(
      all.items.map((c) => c.firstName),
      ['P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6'],
    );
    const pages = [];
    for (let offset = 0; offset < 7; offset += 3) {
      const page = await repos.contacts.search(book.owner, query({ limit: 3, offset }));
      t.is(page.total, 7);
      pages.push(...page.items);
    }
    t.deepEqual(ids(pages), ids(all.items));
    t.deepEqual(await repos.contacts.search(book.owner, query({ limit: 3, offset: 7 })), { items: [], total: 7 });
    t.deepEqual(await repos.contacts.search(book.owner, query({ limit: 3, offset: Number.MAX_SAFE_INTEGER })), { items: [], total: 7 });
  });

  it('a filtered search pages its matches in the same order, with their total, also past the last page', async (t, repos, newBook) => {
    const book = await newBook();
    const matching = [];
    for (let i = 0; i < 9; i++) {
      const contact = await book.add({ firstName: i % 2 === 0 ? `Match${i}` : `Other${i}`, lastName: `L${i}` });
      if (i % 2 === 0) matching.push(contact);
    }
    const pages = [];
    for (let offset = 0; offset < 5; offset += 2) {
      const page = await repos.contacts.search(book.owner, query({ q: 'match', limit: 2, offset }));
      t.is(page.total, 5);
      pages.push(...page.items);
    }
    t.deepEqual(ids(pages), ids(matching));
    t.deepEqual(await repos.contacts.search(book.owner, query({ q: 'match', limit: 2, offset: 5 })), { items: [], total: 5 });
    t.deepEqual(await repos.contacts.search(book.owner, query({ firstName: 'match', lastName: 'l4', limit: 2, offset: 9 })), { items: [], total: 1 });
    t.deepEqual(await book.find({ firstName: 'match', lastName: 'l4', limit: 2 }), [matching[2]!.id]);
    t.deepEqual(await repos.contacts.search(book.owner, query({ q: 'nobody', limit: 2 })), { items: [], total: 0 });
  });

  it('sort=name orders by last name, then first name, accents and case aside; ties by creation; companies by organization', async (t, _repos, newBook) => {
    const book = await newBook();
    const add = (firstName: string, lastName: string, organization = '') => book.add({ firstName, lastName, organization });
    const smithson = await add('Al', 'Smithson');
    const zoeSmith = await add('Zoe', 'Smith');
    const annSmith = await add('ann', 'Smith');
    const acme = await add('', '', 'Émpire Inc');
    const annSmith2 = await add('Ann', 'SMITH');
    const noLast = await add('Yves', '');
    const eber = await add('Bob', 'Éber');
    t.deepEqual(await book.find({ sort: 'name' }), ids([noLast, eber, acme, annSmith, annSmith2, zoeSmith, smithson]));
    const paged = [...(await book.find({ sort: 'name', limit: 4 })), ...(await book.find({ sort: 'name', limit: 4, offset: 4 }))];
    t.deepEqual(paged, ids([noLast, eber, acme, annSmith, annSmith2, zoeSmith, smithson]));
    t.deepEqual(await book.find({ sort: 'name', q: 'smith' }), ids([annSmith, annSmith2, zoeSmith, smithson]));
  });

  it('sort=relevance puts whole-name matches first, then name prefixes, then the rest, each by creation', async (t, _repos, newBook) => {
    const book = await newBook();
    const inEmail = await book.add({ firstName: 'Xavier', lastName: 'Ng', email: 'dan@example.com' });
    const prefix = await book.add({ firstName: 'Daniel', lastName: 'Ito' });
    const whole = await book.add({ firstName: 'Dán', lastName: 'Lee' });
    const inside = await book.add({ firstName: 'Jordan', lastName: 'Kay' });
    const lastWhole = await book.add({ firstName: 'Ann', lastName: 'DAN' });
    const nick = await book.add({ firstName: 'Bob', lastName: 'Ray', nickname: 'Dan' });
    const fullName = await book.add({ firstName: 'Dan', lastName: 'Brown' });
    t.deepEqual(await book.find({ sort: 'relevance', q: 'dan' }), ids([whole, lastWhole, nick, fullName, prefix, inEmail, inside]));
    t.deepEqual(await book.find({ sort: 'relevance', q: 'dan  brown' }), []);
    t.deepEqual(await book.find({ sort: 'relevance', q: 'dan brown' }), ids([fullName]));
    t.deepEqual(await book.find({ sort: 'relevance', q: 'dan', limit: 3, offset: 3 }), ids([fullName, prefix, inEmail]));
  });

  it('birthdays wrap from 31 December to 1 January, soonest first, in the owner book only', async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const dec31 = await book.add({ birthday: '1980-12-31' });
    const jan1 = await book.add({ birthday: '1985-01-01' });
    const jan7 = await book.add({ birthday: '1999-01-07' });
    await book.add({ birthday: '1990-12-30' });
    await book.add({ birthday: '1990-01-08', anniversary: '2000-01-01' });
    await other.add({ birthday: '1985-01-01' });
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, '2026-12-31', 7)), ids([dec31, jan1, jan7]));
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, '2026-12-31', 0)), ids([dec31]));
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, '2027-01-01', 6)), ids([jan1, jan7]));
  });

  it('a 29 February birthday falls on 28 February in common years and on 29 February in leap years', async (t, repos, newBook) => {
    const book = await newBook();
    const leapling = await book.add({ birthday: '2000-02-29' });
    const feb28 = await book.add({ birthday: '1970-02-28' });
    const mar1 = await book.add({ birthday: '1970-03-01' });
    const upcoming = async (today: string, days: number) => ids(await repos.contacts.upcomingBirthdays(book.owner, today, days));
    t.deepEqual((await upcoming('2027-02-28', 0)).sort(), ids([leapling, feb28]).sort());
    t.deepEqual(await upcoming('2027-03-01', 0), [mar1.id]);
    t.deepEqual(await upcoming('2027-03-01', 300), [mar1.id]);
    t.deepEqual(await upcoming('2028-02-28', 0), [feb28.id]);
    t.deepEqual(await upcoming('2028-02-28', 1), ids([feb28, leapling]));
    t.deepEqual(await upcoming('2028-02-29', 1), ids([leapling, mar1]));
  });

  it('birthdays agree with the domain rule for every day and window tried', async (t, repos, newBook) => {
    const book = await newBook();
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
    for (const birthday of birthdays) contacts.push(await book.add({ birthday }));
    for (const today of ['2026-12-31', '2027-01-01', '2027-02-28', '2027-03-01', '2028-02-28', '2028-02-29', '2100-02-28']) {
      for (const days of [0, 1, 7, 59, 300, 365, 366]) {
        const expected = contacts
          .filter((c) => isBirthdayWithin(c.birthday!, today, days))
          .sort((a, b) => nextBirthday(a.birthday!, today).localeCompare(nextBirthday(b.birthday!, today)) || (a.id < b.id ? -1 : 1));
        t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, today, days)), ids(expected), `${today} +${days}`);
      }
    }
  });

  it('an empty contact (a company card) keeps its empty fields, and contacts without an email never clash', async (t, repos, newBook) => {
    const book = await newBook();
    const bare: ContactFields = { ...EMPTY_CONTACT_FIELDS, organization: 'Solo GmbH' };
    const one = await repos.contacts.create(book.owner, { fields: bare }, 'refuse');
    const two = await repos.contacts.create(book.owner, { fields: bare }, 'refuse');
    t.like(one, { ...bare, photo: null, card: null });
    t.deepEqual(await repos.contacts.findById(book.owner, two.id), two);
    t.deepEqual(await book.find({ q: 'solo' }), [one.id, two.id]);
    t.is((await repos.contacts.search(book.owner, query({ email: 'example' }))).total, 0);
  });

  it('days without a year are kept as --MM-DD; the birthday is listed among the upcoming ones', async (t, repos, newBook) => {
    const book = await newBook();
    const leap = await book.add({ birthday: '--02-29', anniversary: '--02-29' });
    const may = await book.add({ birthday: '--05-17', anniversary: '1999-05-17' });
    t.like(await repos.contacts.findById(book.owner, leap.id), { birthday: '--02-29', anniversary: '--02-29' });
    t.like(may, { birthday: '--05-17', anniversary: '1999-05-17' });
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, '2027-02-28', 0)), [leap.id]);
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, '2028-02-28', 0)), []);
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, '2027-05-10', 7)), [may.id]);
    const changed = await repos.contacts.update(book.owner, may.id, { fields: { birthday: '1980-05-17', anniversary: '--12-24' } }, 'refuse');
    t.like(changed, { birthday: '1980-05-17', anniversary: '--12-24' });
  });

  it('the version starts at 1 and every write adds one', async (t, repos, newBook) => {
    const book = await newBook();
    const created = await book.add();
    t.is(created.version, 1);
    t.is((await repos.contacts.update(book.owner, created.id, { fields: { notes: 'a' } }, 'refuse'))!.version, 2);
    t.is((await repos.contacts.update(book.owner, created.id, { fields: fields({ notes: 'a' }) }, 'allow'))!.version, 3);
    t.is((await repos.contacts.setPhoto(book.owner, created.id, { url: 'https://cdn.example/p.jpg', key: 'p.jpg' }))!.contact.version, 4);
    t.is((await repos.contacts.findById(book.owner, created.id))!.version, 4);
  });

  it('a conditional write on a stale version throws ContactChanged and changes nothing', async (t, repos, newBook) => {
    const book = await newBook();
    const created = await book.add({ notes: 'before' });
    await repos.contacts.update(book.owner, created.id, { fields: { notes: 'moved on' } }, 'refuse');
    await t.throwsAsync(repos.contacts.update(book.owner, created.id, { fields: { notes: 'stale' } }, 'refuse', [1]), { instanceOf: ContactChanged });
    await t.throwsAsync(repos.contacts.update(book.owner, created.id, { fields: fields({ notes: 'stale' }) }, 'allow', [1]), { instanceOf: ContactChanged });
    await t.throwsAsync(repos.contacts.setPhoto(book.owner, created.id, { url: 'u', key: 'k' }, [1]), { instanceOf: ContactChanged });
    await t.throwsAsync(repos.contacts.delete(book.owner, created.id, [1]), { instanceOf: ContactChanged });
    t.like(await repos.contacts.findById(book.owner, created.id), { notes: 'moved on', version: 2, photo: null });
    t.like(await repos.contacts.update(book.owner, created.id, { fields: { notes: 'current' } }, 'refuse', [1, 2]), { notes: 'current', version: 3 });
    t.is(await repos.contacts.update(book.owner, randomUUID(), { fields: { notes: 'x' } }, 'refuse', [1]), null);
    t.is(await repos.contacts.setPhoto(book.owner, randomUUID(), null, [1]), null);
    t.false(await repos.contacts.delete(book.owner, randomUUID(), [1]));
    t.true(await repos.contacts.delete(book.owner, created.id, [3]));
  });

  it('parallel conditional writes on one version: exactly one wins', async (t, repos, newBook) => {
    const book = await newBook();
    const created = await book.add();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        repos.contacts.update(book.owner, created.id, { fields: i % 2 ? { notes: `writer ${i}` } : fields({ notes: `writer ${i}` }) }, 'refuse', [
          created.version,
        ]),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    t.is(won.length, 1);
    t.true(results.every((r) => r.status === 'fulfilled' || r.reason instanceof ContactChanged));
    const stored = (await repos.contacts.findById(book.owner, created.id))!;
    t.is(stored.version, 2);
    t.is(stored.notes, (won[0] as PromiseFulfilledResult<Contact | null>).value!.notes);
  });

  it('setPhoto sets, replaces and removes the photo, answering the one it had', async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const created = await book.add();
    const one = { url: 'https://cdn.example/a.jpg', key: 'a.jpg' };
    const two = { url: 'https://cdn.example/b.jpg', key: 'b.jpg' };
    const first = await repos.contacts.setPhoto(book.owner, created.id, one);
    t.deepEqual(first!.previous, null);
    t.deepEqual(first!.contact.photo, one);
    t.deepEqual((await repos.contacts.findById(book.owner, created.id))!.photo, one);
    t.deepEqual((await repos.contacts.setPhoto(book.owner, created.id, two, [2]))!.previous, one);
    const removed = await repos.contacts.setPhoto(book.owner, created.id, null);
    t.deepEqual(removed!.previous, two);
    t.like(removed!.contact, { photo: null, version: 4 });
    t.is(await repos.contacts.setPhoto(other.owner, created.id, one), null);
    t.is(await repos.contacts.setPhoto(book.owner, 'nope', one), null);
    // A full update leaves the photo alone.
    t.deepEqual((await repos.contacts.update(book.owner, created.id, { fields: fields() }, 'allow'))!.photo, null);
    await repos.contacts.setPhoto(book.owner, created.id, one);
    t.deepEqual((await repos.contacts.update(book.owner, created.id, { fields: fields() }, 'allow'))!.photo, one);
  });

  it('create stores the photo a new contact comes with', async (t, repos, newBook) => {
    const book = await newBook();
    const photo = { url: 'https://media.test/p.jpg', key: 'p-key' };
    const created = await repos.contacts.create(book.owner, { fields: fields({ firstName: 'Pic' }), photo }, 'refuse');
    t.deepEqual(created.photo, photo);
    t.deepEqual((await repos.contacts.findById(book.owner, created.id))!.photo, photo);
  });

  it('createMany stores in order, answering for each input null or the id of the contact holding one of its emails', async (t, repos, newBook) => {
    const book = await newBook();
    const existing = await book.add({
      emails: [
        { value: 'x@example.com', label: 'home' },
        { value: 'Taken@Example.com', label: 'work' },
      ],
    });
    const input = (overrides: Parameters<typeof fields>[0]): NewContact => ({ fields: fields(overrides) });
    const list = [
      input({ firstName: 'A', email: 'a@example.com' }),
      input({
        firstName: 'B',
        emails: [
          { value: 'b@example.com', label: 'home' },
          { value: 'taken@example.COM', label: 'home' },
        ],
      }),
      input({ firstName: 'C', email: null }),
      { fields: fields({ firstName: 'D', email: null }), card: card('d-uid'), photo: { url: 'https://media.test/d.jpg', key: 'd-key' } },
      input({ firstName: 'E', email: 'A@example.com' }),
      input({ firstName: 'F', email: 'b@example.com' }),
      // Past one batch of 500 rows per INSERT.
      ...Array.from({ length: 520 }, (_, i) => input({ firstName: `Bulk ${i}`, birthday: '--01-02', labels: ['Imported'] })),
    ];
    const answers = await repos.contacts.createMany(book.owner, list);
    t.is(answers.length, list.length);
    t.deepEqual(
      answers.slice(1, 6).map((a) => a !== null),
      [true, false, false, true, false],
    );
    t.is(answers[0], null);
    t.is(answers[1], existing.id);
    const all: Contact[] = [];
    for await (const batch of repos.contacts.listAll(book.owner, 200)) {
      t.true(batch.length <= 200);
      all.push(...batch);
    }
    t.is(all.length, 1 + 4 + 520);
    t.deepEqual(
      all.slice(0, 7).map((c) => c.firstName),
      ['Ann', 'A', 'C', 'D', 'F', 'Bulk 0', 'Bulk 1'],
    );
    t.is(answers[4], all[1]!.id);
    t.is(new Set(ids(all)).size, all.length);
    t.deepEqual(all[3]!.card, card('d-uid'));
    t.deepEqual(all[3]!.photo, { url: 'https://media.test/d.jpg', key: 'd-key' }, "an imported card's photo is stored with it");
    t.is(all[2]!.photo, null);
    t.like(
      all.find((c) => c.firstName === 'Bulk 7'),
      { birthday: '--01-02', version: 1, lastName: 'Lee', labels: ['Imported'] },
    );
    t.deepEqual(await repos.contacts.labels(book.owner), [{ name: 'Imported', count: 520 }]);
    t.deepEqual(await book.find({ q: 'bulk 519' }), [all[all.length - 1]!.id]);
    t.deepEqual(await repos.contacts.createMany(book.owner, []), []);
  });

  it('labels lists every label of the book with its count, by name case-insensitively, in the oldest spelling', async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    await book.add({ labels: ['family', 'Work'] });
    await book.add({ labels: ['Family', 'zoo', 'Ärzte'] });
    await book.add({ labels: ['WORK', 'apple'] });
    await other.add({ labels: ['Secret'] });
    t.deepEqual(await repos.contacts.labels(book.owner), [
      { name: 'apple', count: 1 },
      { name: 'family', count: 2 },
      { name: 'Work', count: 2 },
      { name: 'zoo', count: 1 },
      { name: 'Ärzte', count: 1 },
    ]);
    t.deepEqual(await repos.contacts.labels(randomUUID()), []);
  });

  it('renameLabel renames on every contact, merges into an existing label (its spelling kept), and bumps the versions', async (t, repos, newBook) => {
    const book = await newBook();
    const a = await book.add({ labels: ['Friends', 'Work'] });
    const b = await book.add({ labels: ['friends'] });
    const c = await book.add({ labels: ['Colleagues'] });
    const d = await book.add({ labels: ['Other'] });
    t.is(await repos.contacts.renameLabel(book.owner, 'nobody', 'x'), null);
    t.deepEqual(await repos.contacts.renameLabel(book.owner, 'FRIENDS', 'Pals'), { name: 'Pals', count: 2 });
    t.like(await repos.contacts.findById(book.owner, a.id), { labels: ['Pals', 'Work'], version: 2 });
    t.like(await repos.contacts.findById(book.owner, b.id), { labels: ['Pals'], version: 2 });
    t.deepEqual(await book.find({ q: 'pals' }), ids([a, b]));
    t.deepEqual(await book.find({ q: 'friends' }), []);
    t.deepEqual(await book.find({ label: 'pals' }), ids([a, b]));
    // Into an existing label: a contact with both ends with one.
    t.deepEqual(await repos.contacts.renameLabel(book.owner, 'work', 'PALS'), { name: 'Pals', count: 2 });
    t.like(await repos.contacts.findById(book.owner, a.id), { labels: ['Pals'], version: 3 });
    t.deepEqual(await repos.contacts.renameLabel(book.owner, 'colleagues', 'pals'), { name: 'Pals', count: 3 });
    t.like(await repos.contacts.findById(book.owner, c.id), { labels: ['Pals'], version: 2 });
    // A change of case only.
    t.deepEqual(await repos.contacts.renameLabel(book.owner, 'pals', 'PALS'), { name: 'PALS', count: 3 });
    t.like(await repos.contacts.findById(book.owner, b.id), { labels: ['PALS'], version: 3 });
    t.like(await repos.contacts.findById(book.owner, d.id), { labels: ['Other'], version: 1 });
    t.deepEqual(await repos.contacts.labels(book.owner), [
      { name: 'Other', count: 1 },
      { name: 'PALS', count: 3 },
    ]);
  });

  it('deleteLabel takes the label off every contact that has it; the contacts stay', async (t, repos, newBook) => {
    const [book, other] = [await newBook(), await newBook()];
    const a = await book.add({ labels: ['Old', 'Keep'] });
    const b = await book.add({ labels: ['old'] });
    const c = await book.add({ labels: ['Keep'] });
    const theirs = await other.add({ labels: ['Old'] });
    t.false(await repos.contacts.deleteLabel(book.owner, 'nobody'));
    t.true(await repos.contacts.deleteLabel(book.owner, 'OLD'));
    t.like(await repos.contacts.findById(book.owner, a.id), { labels: ['Keep'], version: 2 });
    t.like(await repos.contacts.findById(book.owner, b.id), { labels: [], version: 2 });
    t.like(await repos.contacts.findById(book.owner, c.id), { labels: ['Keep'], version: 1 });
    t.like(await repos.contacts.findById(other.owner, theirs.id), { labels: ['Old'], version: 1 });
    t.deepEqual(await book.find({ q: 'old' }), []);
    t.deepEqual(await repos.contacts.labels(book.owner), [{ name: 'Keep', count: 2 }]);
    t.false(await repos.contacts.deleteLabel(book.owner, 'old'));
  });

  // Trash (#28).
  it('delete moves to the trash: every view leaves it out, its emails are free, findAnyById still finds it', async (t, repos, newBook) => {
    const book = await newBook();
    const gone = await book.add({ email: 'gone@example.com', labels: ['Family'], birthday: '1990-01-02' });
    const kept = await book.add({ labels: ['Family'] });
    t.true(await repos.contacts.delete(book.owner, gone.id));
    t.is(await repos.contacts.findById(book.owner, gone.id), null);
    t.deepEqual(await repos.contacts.findByIds(book.owner, [gone.id, kept.id]).then(ids), [kept.id]);
    t.deepEqual(await book.find(), [kept.id]);
    t.deepEqual(await repos.contacts.labels(book.owner), [{ name: 'Family', count: 1 }]);
    const all: string[] = [];
    for await (const batch of repos.contacts.listAll(book.owner, 10)) all.push(...ids(batch));
    t.deepEqual(all, [kept.id]);
    t.deepEqual(ids(await repos.contacts.upcomingBirthdays(book.owner, '2026-01-01', 366)), [kept.id]);
    t.false(await repos.contacts.delete(book.owner, gone.id));
    t.is(await repos.contacts.update(book.owner, gone.id, { fields: { firstName: 'X' } }, 'allow'), null);
    // Its email is free for a live contact.
    const taker = await book.add({ email: 'GONE@example.com' });
    const any = await repos.contacts.findAnyById(book.owner, gone.id);
    t.is(any?.contact.firstName, gone.firstName);
    t.truthy(any?.deletedAt);
    t.is((await repos.contacts.findAnyById(book.owner, kept.id))?.deletedAt, null);
    t.is(await repos.contacts.findAnyById((await newBook()).owner, gone.id), null);
    // Restore refuses under `refuse` while a live contact holds its email, and brings it back as it was once freed.
    await t.throwsAsync(repos.contacts.restore(book.owner, gone.id, 'refuse'), { instanceOf: ContactEmailTaken });
    t.true(await repos.contacts.delete(book.owner, taker.id));
    const back = await repos.contacts.restore(book.owner, gone.id, 'refuse');
    t.like(back, { id: gone.id, labels: ['Family'], emails: gone.emails, createdAt: gone.createdAt, updatedAt: gone.updatedAt });
    t.deepEqual(await book.find(), [gone.id, kept.id]);
    t.is(await repos.contacts.restore(book.owner, gone.id, 'refuse'), null);
    t.is(await repos.contacts.restore(book.owner, 'nope', 'refuse'), null);
  });

  it('the trash lists most recently deleted first with deletedAt; purge removes for good and answers the photos', async (t, repos, newBook) => {
    const book = await newBook();
    const [a, b, c] = [await book.add(), await book.add(), await book.add()];
    const photo = { url: 'https://cdn.example.com/p.png', key: 'photos/p.png' };
    await repos.contacts.setPhoto(book.owner, b.id, photo);
    for (const contact of [a, b, c]) {
      t.true(await repos.contacts.delete(book.owner, contact.id));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const trash = await repos.contacts.listTrash(book.owner, 2, 0);
    t.is(trash.total, 3);
    t.deepEqual(
      trash.items.map((i) => i.contact.id),
      [c.id, b.id],
    );
    t.regex(trash.items[0]!.deletedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    t.deepEqual(
      (await repos.contacts.listTrash(book.owner, 2, 2)).items.map((i) => i.contact.id),
      [a.id],
    );
    const exported: string[] = [];
    for await (const batch of repos.contacts.listAllTrash(book.owner, 2)) exported.push(...batch.map((i) => i.contact.id));
    t.deepEqual(exported, [c.id, b.id, a.id]);
    t.is(await repos.contacts.purge((await newBook()).owner, b.id), null);
    t.deepEqual(await repos.contacts.purge(book.owner, b.id), [photo]);
    t.is(await repos.contacts.purge(book.owner, b.id), null);
    t.is(await repos.contacts.findAnyById(book.owner, b.id), null);
    const live = await book.add();
    t.is(await repos.contacts.purge(book.owner, live.id), null, 'a live contact is not purged');
    t.deepEqual(await repos.contacts.purge(book.owner, null), []);
    t.is((await repos.contacts.listTrash(book.owner, 10, 0)).total, 0);
    t.deepEqual(await book.find(), [live.id]);
  });

  // Serial (before the others): purgeExpired purges every book's expired trash, other tests' too.
  const serially = (title: string, body: (t: ExecutionContext, repos: Repositories, newBook: () => Promise<Book>) => Promise<void>) =>
    test.serial(title, (t, { repos }) => body(t, repos, async () => bookOf(repos, await newOwner(repos)())));

  serially('purgeExpired purges what was trashed before the cutoff, once, and leaves the rest', async (t, repos, newBook) => {
    const book = await newBook();
    const old = await book.add();
    await repos.contacts.setPhoto(book.owner, old.id, { url: 'https://cdn.example.com/o.png', key: 'photos/o.png' });
    await repos.contacts.delete(book.owner, old.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cutoff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const recent = await book.add();
    await repos.contacts.delete(book.owner, recent.id);
    const [first, second] = await Promise.all([repos.contacts.purgeExpired(cutoff, 1000), repos.contacts.purgeExpired(cutoff, 1000)]);
    const photos = [...first.photos, ...second.photos].filter((p) => p.key === 'photos/o.png');
    t.is(photos.length, 1, 'the photo is answered to one caller');
    t.is(await repos.contacts.findAnyById(book.owner, old.id), null);
    t.truthy((await repos.contacts.findAnyById(book.owner, recent.id))?.deletedAt);
  });

  // The change feed (#28).
  const walk = async (repos: Repositories, owner: string, since: SyncPosition | null, limit: number) => {
    const seen: FeedChange[] = [];
    let position = since;
    for (let page = 0; page < 1000; page++) {
      const answer = await repos.contacts.changesSince(owner, position, limit);
      seen.push(...answer.changes);
      position = answer.next;
      if (!answer.more) return { seen, next: position };
    }
    throw new Error('the feed never ended');
  };

  it('versionsSince answers the page changesSince does, each live contact as its version and last write', async (t, repos, newBook) => {
    const book = await newBook();
    const [a, b, c] = [await book.add(), await book.add(), await book.add()];
    const start = await repos.contacts.changesSince(book.owner, null, 10);
    await repos.contacts.update(book.owner, a.id, { fields: { firstName: 'Changed' } }, 'allow');
    await repos.contacts.delete(book.owner, b.id);
    await repos.contacts.delete(book.owner, c.id);
    await repos.contacts.purge(book.owner, c.id);
    for (const limit of [1, 10]) {
      const whole = await repos.contacts.changesSince(book.owner, start.next, limit);
      const versions = await repos.contacts.versionsSince(book.owner, start.next, limit);
      t.deepEqual(
        versions.changes,
        whole.changes.map((change) =>
          change.deleted ? change : { id: change.id, deleted: false, version: change.contact.version, updatedAt: change.contact.updatedAt },
        ),
      );
      t.deepEqual({ ...versions, changes: [] }, { ...whole, changes: [] });
    }
    const [changed] = (await repos.contacts.versionsSince(book.owner, start.next, 1)).changes;
    t.like(changed, { id: a.id, deleted: false, version: a.version + 1 });
  });

  it('the feed without a token lists every live contact; after a token, each change once with its latest state', async (t, repos, newBook) => {
    const book = await newBook();
    const [a, b, c] = [await book.add(), await book.add(), await book.add()];
    await repos.contacts.delete(book.owner, c.id);
    const start = await walk(repos, book.owner, null, 2);
    t.deepEqual(start.seen.map((s) => s.id).sort(), [a.id, b.id].sort());
    t.true(start.seen.every((s) => !s.deleted));
    t.is(await repos.contacts.bookVersion(book.owner), start.next.change);
    // Nothing new: an empty answer that keeps its place.
    const idle = await repos.contacts.changesSince(book.owner, start.next, 10);
    t.deepEqual(idle.changes, []);
    t.false(idle.more);
    await repos.contacts.update(book.owner, a.id, { fields: { firstName: 'First' } }, 'allow');
    await repos.contacts.update(book.owner, a.id, { fields: { firstName: 'Second' } }, 'allow');
    await repos.contacts.delete(book.owner, b.id);
    const d = await book.add();
    await repos.contacts.restore(book.owner, c.id, 'allow');
    await repos.contacts.createMany(book.owner, [{ fields: fields() }, { fields: fields() }, { fields: fields() }]);
    const after = await walk(repos, book.owner, start.next, 2);
    const byId = new Map(after.seen.map((s) => [s.id, s]));
    t.is(after.seen.length, byId.size, 'each contact once');
    t.is(after.seen.length, 7);
    t.like(byId.get(a.id), { deleted: false, contact: { firstName: 'Second' } });
    t.deepEqual(byId.get(b.id), { id: b.id, deleted: true });
    t.like(byId.get(c.id), { deleted: false });
    t.like(byId.get(d.id), { deleted: false });
    // In commit order: the restore after the create of d, the import last.
    t.deepEqual(
      after.seen.slice(0, 4).map((s) => s.id),
      [a.id, b.id, d.id, c.id],
    );
    // Purged: a tombstone. Label changes count as changes.
    await repos.contacts.delete(book.owner, d.id);
    await repos.contacts.purge(book.owner, d.id);
    await repos.contacts.update(book.owner, a.id, { fields: { labels: ['Old'] } }, 'allow');
    const mid = await walk(repos, book.owner, after.next, 10);
    await repos.contacts.renameLabel(book.owner, 'Old', 'New');
    const renamed = await walk(repos, book.owner, mid.next, 10);
    t.deepEqual(
      mid.seen.map((s) => [s.id, s.deleted]),
      [
        [d.id, true],
        [a.id, false],
      ],
    );
    t.like(renamed.seen, [{ id: a.id, deleted: false, contact: { labels: ['New'] } }]);
    // Another owner's book is not this one.
    t.deepEqual((await walk(repos, (await newBook()).owner, null, 10)).seen, []);
    await t.throwsAsync(repos.contacts.changesSince(book.owner, { change: renamed.next.change + 5, id: '', floor: 0 }, 10), { instanceOf: InvalidSyncToken });
  });

  serially('a token older than the forgotten tombstones is expired', async (t, repos, newBook) => {
    const book = await newBook();
    const a = await book.add();
    const before = await walk(repos, book.owner, null, 10);
    await repos.contacts.delete(book.owner, a.id);
    await repos.contacts.purge(book.owner, a.id);
    const after = await walk(repos, book.owner, before.next, 10);
    t.deepEqual(after.seen, [{ id: a.id, deleted: true }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await repos.contacts.purgeExpired(new Date(), 1000);
    await t.throwsAsync(repos.contacts.changesSince(book.owner, before.next, 10), { instanceOf: SyncTokenExpired });
    t.deepEqual((await repos.contacts.changesSince(book.owner, after.next, 10)).changes, []);
  });

  // Serial (ava runs serial tests before the others): the in-memory unit of work rolls back by
  // restoring whole tables, which would also undo what tests running alongside wrote.
  test.serial('a unit of work that fails leaves no contact behind', async (t, { repos, uow }) => {
    const book = bookOf(repos, await newOwner(repos)());
    const kept = await book.add();
    await t.throwsAsync(
      uow.run(async ({ contacts }) => {
        await contacts.create(book.owner, { fields: fields({ firstName: 'Ghost' }) }, 'refuse');
        await contacts.createMany(book.owner, [{ fields: fields({ firstName: 'Imported ghost' }) }]);
        await contacts.update(book.owner, kept.id, { fields: { firstName: 'Changed' } }, 'refuse');
        await contacts.create(book.owner, { fields: fields({ email: kept.emails[0]!.value.toUpperCase() }) }, 'refuse');
      }),
      { instanceOf: ContactEmailTaken },
    );
    const page = await repos.contacts.search(book.owner, query());
    t.deepEqual(ids(page.items), [kept.id]);
    t.is(page.items[0]!.firstName, kept.firstName);
  });
}
