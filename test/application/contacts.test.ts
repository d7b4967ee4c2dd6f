import test from 'ava';
import { randomUUID } from 'node:crypto';
import { ContactChanged, ContactEmailTaken } from '../../src/domain/contact.errors.js';
import { CONTACT_VIEW_FIELDS } from '../../src/domain/contact.js';
import { NotFound, ValidationFailed } from '../../src/domain/errors.js';
import { fakeWorld, verifiedUser } from '../fakes/fake-world.js';

const ann = {
  firstName: 'Ann',
  lastName: 'Lee',
  email: 'ann.lee@example.com',
  phone: '+1 555 0100',
  birthday: '1990-04-01',
};

/** A world whose clock reads `now`, and two users with their own books. */
async function world(now = '2026-06-15T12:00:00Z') {
  const w = fakeWorld();
  w.clock.set(new Date(now));
  const owner = (await verifiedUser(w, 'owner@example.com')).user.id;
  const other = (await verifiedUser(w, 'other@example.com')).user.id;
  return { ...w, owner, other };
}

test('creating a contact stores it in the caller book and answers it without the owner; ids and owners in the input are ignored', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, { ...ann, id: 'mine', userId: w.other, ownerId: w.other, createdAt: '2000-01-01' });
  t.deepEqual(Object.keys(contact), [...CONTACT_VIEW_FIELDS]);
  t.like(contact, { ...ann, notes: null, emails: [{ value: ann.email, label: 'other' }], phones: [{ value: ann.phone, label: 'other' }], etag: '"1"' });
  t.not(contact.id, 'mine');
  const [stored] = w.repos.contacts.table.all();
  t.is(stored?.userId, w.owner);
  t.is(stored?.id, contact.id);
});

test('an invalid contact is refused with every field named and nothing stored', async (t) => {
  const w = await world();
  const error = await t.throwsAsync(w.useCases.createContact(w.owner, { firstName: '', email: 'nope', phone: 'x', birthday: '2026-06-16' }), {
    instanceOf: ValidationFailed,
  });
  t.deepEqual(error?.errors.map((e) => e.field).sort(), ['birthday', 'email', 'firstName', 'phone']);
  t.is(w.repos.contacts.table.all().length, 0);
});

test('a birthday of today is accepted and tomorrow refused, by the clock in UTC', async (t) => {
  const w = await world('2026-06-15T23:30:00Z');
  await t.notThrowsAsync(w.useCases.createContact(w.owner, { ...ann, birthday: '2026-06-15' }));
  await t.throwsAsync(w.useCases.createContact(w.owner, { ...ann, email: 'b@example.com', birthday: '2026-06-16' }), { instanceOf: ValidationFailed });
});

test("a second contact with the same email in the caller's book, in any case, fails with ContactEmailTaken; another user may have it", async (t) => {
  const w = await world();
  await w.useCases.createContact(w.owner, ann);
  await t.throwsAsync(w.useCases.createContact(w.owner, { ...ann, email: 'ANN.LEE@example.com' }), { instanceOf: ContactEmailTaken });
  await t.notThrowsAsync(w.useCases.createContact(w.other, ann));
  t.is(w.repos.contacts.table.all().length, 2);
});

test("someone else's contact, an unknown id and a malformed id are all NotFound", async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, ann);
  t.deepEqual((await w.useCases.getContact(w.owner, contact.id)).contact, contact);
  for (const [owner, id] of [
    [w.other, contact.id],
    [w.owner, randomUUID()],
    [w.owner, 'not-an-id'],
  ] as const) {
    await t.throwsAsync(w.useCases.getContact(owner, id), { instanceOf: NotFound });
    await t.throwsAsync(w.useCases.replaceContact(owner, id, ann), { instanceOf: NotFound });
    await t.throwsAsync(w.useCases.patchContact(owner, id, { firstName: 'X' }), { instanceOf: NotFound });
    await t.throwsAsync(w.useCases.patchContact(owner, id, {}), { instanceOf: NotFound });
    await t.throwsAsync(w.useCases.deleteContact(owner, id), { instanceOf: NotFound });
  }
  t.deepEqual((await w.useCases.getContact(w.owner, contact.id)).contact, contact);
});

test('replacing a contact sets every field; optional fields left out become null; a missing first name is refused', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, { ...ann, notes: 'old' });
  const { contact: replaced } = await w.useCases.replaceContact(w.owner, contact.id, {
    firstName: 'Bea',
    lastName: 'Park',
    email: 'bea@example.com',
    phone: '12345',
    birthday: '1970-01-01',
    id: 'other',
  });
  t.like(replaced, { id: contact.id, firstName: 'Bea', lastName: 'Park', email: 'bea@example.com', phone: '12345', birthday: '1970-01-01', notes: null });
  const error = await t.throwsAsync(w.useCases.replaceContact(w.owner, contact.id, { lastName: 'Only' }), { instanceOf: ValidationFailed });
  t.deepEqual(
    error?.errors.map((e) => e.field),
    ['firstName'],
  );
  t.deepEqual((await w.useCases.getContact(w.owner, contact.id)).contact, replaced);
  const { contact: bare } = await w.useCases.replaceContact(w.owner, contact.id, { firstName: 'Only' });
  t.like(bare, { firstName: 'Only', lastName: '', email: null, phone: null, birthday: null, notes: null });
});

test('patching changes only the given fields; an empty patch changes nothing; a taken email is refused', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, { ...ann, notes: 'keep' });
  await w.useCases.createContact(w.owner, { ...ann, email: 'taken@example.com' });
  const { contact: patched } = await w.useCases.patchContact(w.owner, contact.id, { phone: '(020) 7946 0958', userId: w.other });
  t.like(patched, { ...ann, phone: '(020) 7946 0958', notes: 'keep' });
  t.deepEqual((await w.useCases.patchContact(w.owner, contact.id, {})).contact, patched);
  t.is((await w.useCases.patchContact(w.owner, contact.id, { notes: null })).contact.notes, null);
  await t.throwsAsync(w.useCases.patchContact(w.owner, contact.id, { email: 'Taken@example.com' }), { instanceOf: ContactEmailTaken });
  await t.throwsAsync(w.useCases.patchContact(w.owner, contact.id, { firstName: null }), { instanceOf: ValidationFailed });
  t.like((await w.useCases.patchContact(w.owner, contact.id, { lastName: null, email: null, birthday: '--04-01' })).contact, {
    lastName: '',
    email: null,
    birthday: '--04-01',
  });
  t.is(w.repos.contacts.table.get(contact.id)?.userId, w.owner);
});

test('deleting a contact moves it to the trash; a second delete is NotFound', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, ann);
  await w.useCases.deleteContact(w.owner, contact.id);
  await t.throwsAsync(w.useCases.getContact(w.owner, contact.id), { instanceOf: NotFound });
  t.like(await w.useCases.listTrash(w.owner, {}), { total: 1, items: [{ id: contact.id }] });
  await t.throwsAsync(w.useCases.deleteContact(w.owner, contact.id), { instanceOf: NotFound });
});

test('listing answers a page of the caller contacts with total, limit and offset; q searches case-insensitively', async (t) => {
  const w = await world();
  for (let i = 0; i < 5; i++) await w.useCases.createContact(w.owner, { ...ann, firstName: i % 2 ? 'Hannah' : 'Bob', email: `c${i}@example.com` });
  await w.useCases.createContact(w.other, { ...ann, firstName: 'Hannah' });

  const all = await w.useCases.listContacts(w.owner, {});
  t.like(all, { total: 5, limit: 20, offset: 0 });
  t.is(all.items.length, 5);
  t.false('userId' in all.items[0]!);

  const page = await w.useCases.listContacts(w.owner, { limit: 2, offset: 4 });
  t.like(page, { total: 5, limit: 2, offset: 4 });
  t.deepEqual(
    page.items.map((c) => c.id),
    [all.items[4]!.id],
  );

  const found = await w.useCases.listContacts(w.owner, { q: 'ANNA' });
  t.is(found.total, 2);
  t.true(found.items.every((c) => c.firstName === 'Hannah'));
  await t.throwsAsync(w.useCases.listContacts(w.owner, { limit: 101 }), { instanceOf: ValidationFailed });
});

test('on 31 December, birthdays of 31 December and 1 January are listed in that order within one day', async (t) => {
  const w = await world('2026-12-31T18:00:00Z');
  const { contact: jan1 } = await w.useCases.createContact(w.owner, { ...ann, email: 'jan1@example.com', birthday: '1985-01-01' });
  const { contact: dec31 } = await w.useCases.createContact(w.owner, { ...ann, email: 'dec31@example.com', birthday: '1980-12-31' });
  await w.useCases.createContact(w.owner, { ...ann, email: 'jan2@example.com', birthday: '1985-01-02' });
  await w.useCases.createContact(w.other, { ...ann, email: 'jan1@example.com', birthday: '1985-01-01' });
  const { items } = await w.useCases.upcomingBirthdays(w.owner, { days: 1 });
  t.deepEqual(
    items.map((c) => c.id),
    [dec31.id, jan1.id],
  );
  t.deepEqual(
    (await w.useCases.upcomingBirthdays(w.owner, { days: 0 })).items.map((c) => c.id),
    [dec31.id],
  );
});

test('a 29 February birthday shows on 28 February in a common year and on 29 February in a leap year', async (t) => {
  const common = await world('2027-02-27T09:00:00Z');
  await common.useCases.createContact(common.owner, { ...ann, birthday: '2000-02-29' });
  t.is((await common.useCases.upcomingBirthdays(common.owner, { days: 1 })).items.length, 1);
  t.is((await common.useCases.upcomingBirthdays(common.owner, { days: 0 })).items.length, 0);

  const leap = await world('2028-02-27T09:00:00Z');
  await leap.useCases.createContact(leap.owner, { ...ann, birthday: '2000-02-29' });
  t.is((await leap.useCases.upcomingBirthdays(leap.owner, { days: 1 })).items.length, 0);
  t.is((await leap.useCases.upcomingBirthdays(leap.owner, { days: 2 })).items.length, 1);
});

test('the birthday window defaults to 7 days and refuses values outside 0 to 366', async (t) => {
  const w = await world('2026-06-15T12:00:00Z');
  await w.useCases.createContact(w.owner, { ...ann, email: 'a@example.com', birthday: '1990-06-22' });
  await w.useCases.createContact(w.owner, { ...ann, email: 'b@example.com', birthday: '1990-06-23' });
  t.is((await w.useCases.upcomingBirthdays(w.owner, {})).items.length, 1);
  t.is((await w.useCases.upcomingBirthdays(w.owner, { days: 366 })).items.length, 2);
  await t.throwsAsync(w.useCases.upcomingBirthdays(w.owner, { days: 367 }), { instanceOf: ValidationFailed });
});

test('each write adds one to the version; a write with a stale expected version is ContactChanged and changes nothing', async (t) => {
  const w = await world();
  const created = await w.useCases.createContact(w.owner, ann);
  t.is(created.version, 1);
  const patched = await w.useCases.patchContact(w.owner, created.contact.id, { notes: 'one' }, [1]);
  t.is(patched.version, 2);
  await t.throwsAsync(w.useCases.patchContact(w.owner, created.contact.id, { notes: 'stale' }, [1]), { instanceOf: ContactChanged });
  await t.throwsAsync(w.useCases.patchContact(w.owner, created.contact.id, {}, [1]), { instanceOf: ContactChanged });
  await t.throwsAsync(w.useCases.replaceContact(w.owner, created.contact.id, ann, [1]), { instanceOf: ContactChanged });
  await t.throwsAsync(w.useCases.deleteContact(w.owner, created.contact.id, [1]), { instanceOf: ContactChanged });
  t.like(await w.useCases.getContact(w.owner, created.contact.id), { version: 2, contact: { notes: 'one' } });
  await w.useCases.deleteContact(w.owner, created.contact.id, [2]);
  t.is((await w.useCases.listTrash(w.owner, {})).total, 1);
});

test('contacts without an email never clash, and a year-less birthday is listed among the upcoming ones', async (t) => {
  const w = await world('2027-02-27T09:00:00Z');
  await w.useCases.createContact(w.owner, { firstName: 'Leap', birthday: '--02-29' });
  await w.useCases.createContact(w.owner, { firstName: 'Leap twin', birthday: '--02-29' });
  t.is((await w.useCases.upcomingBirthdays(w.owner, { days: 1 })).items.length, 2);
  t.is((await w.useCases.upcomingBirthdays(w.owner, { days: 0 })).items.length, 0);
});

const rich = {
  firstName: 'Zoë',
  lastName: 'Adler',
  middleName: 'Marie',
  prefix: 'Dr.',
  suffix: 'PhD',
  nickname: 'Zo',
  organization: 'Acme',
  department: 'Research',
  jobTitle: 'Chemist',
  emails: [
    { value: 'zoe@work.example', label: 'work' },
    { value: 'zoe@home.example', label: 'Home' },
  ],
  phones: [{ value: '+1 (555) 010-0100', label: 'mobile' }],
  addresses: [{ label: 'home', street: '1 Main St', locality: 'Springfield', country: 'USA' }],
  urls: [{ value: 'https://zoe.example/', label: 'blog' }],
  birthday: '--02-29',
  anniversary: '2010-06-01',
  notes: 'line one\nline two',
  labels: ['Family', 'family', 'Climbing'],
};

test('every field of a rich contact is stored and answered; entry labels known are lower-cased, label repeats dropped keeping the first spelling', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, rich);
  t.like(contact, {
    ...rich,
    email: 'zoe@work.example',
    phone: '+1 (555) 010-0100',
    emails: [
      { value: 'zoe@work.example', label: 'work' },
      { value: 'zoe@home.example', label: 'home' },
    ],
    addresses: [{ label: 'home', poBox: '', extended: '', street: '1 Main St', locality: 'Springfield', region: '', postalCode: '', country: 'USA' }],
    labels: ['Family', 'Climbing'],
    photoUrl: null,
  });
  t.deepEqual((await w.useCases.getContact(w.owner, contact.id)).contact, contact);
});

test('a company card has an organization and may leave the first name empty; without either the first name is named', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, { organization: 'Acme Corp', firstName: '' });
  t.like(contact, { firstName: '', organization: 'Acme Corp' });
  const error = await t.throwsAsync(w.useCases.createContact(w.owner, { lastName: 'Only', phone: '12' }), { instanceOf: ValidationFailed });
  t.deepEqual(error?.errors.map((e) => e.field).sort(), ['firstName', 'phone']);
  const patch = await t.throwsAsync(w.useCases.patchContact(w.owner, contact.id, { organization: null }), { instanceOf: ValidationFailed });
  t.deepEqual(
    patch?.errors.map((e) => e.field),
    ['firstName'],
  );
  // With another invalid field, the cleared name is named too, whether the organization goes in the same change or is stored.
  const person = (await w.useCases.createContact(w.owner, { firstName: 'Pat' })).contact;
  for (const [id, change] of [
    [contact.id, { organization: '', firstName: null, phone: '12' }],
    [person.id, { firstName: '', phone: '12' }],
  ] as const) {
    const both = await t.throwsAsync(w.useCases.patchContact(w.owner, id, change), { instanceOf: ValidationFailed });
    t.deepEqual(both?.errors.map((e) => e.field).sort(), ['firstName', 'phone']);
  }
  // A company's card may clear the first name it has not got, and another user's contact tells nothing more.
  const company = await t.throwsAsync(w.useCases.patchContact(w.owner, contact.id, { firstName: null, phone: '12' }), { instanceOf: ValidationFailed });
  t.deepEqual(
    company?.errors.map((e) => e.field),
    ['phone'],
  );
  const theirs = await t.throwsAsync(w.useCases.patchContact(w.other, person.id, { firstName: null, phone: '12' }), { instanceOf: ValidationFailed });
  t.deepEqual(
    theirs?.errors.map((e) => e.field),
    ['phone'],
  );
});

test('PUT clears every field left out but keeps the photo and the kept card', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, rich);
  const photo = { url: 'https://media.example/p.webp', key: 'p' };
  const card = { uid: 'urn:uuid:kept', properties: [{ group: null, name: 'X-SOCIAL', params: [], value: 'x' }] };
  w.repos.contacts.table.put({ ...w.repos.contacts.table.get(contact.id)!, photo, card });
  const { contact: replaced } = await w.useCases.replaceContact(w.owner, contact.id, { firstName: 'Zoë' });
  t.like(replaced, {
    firstName: 'Zoë',
    lastName: '',
    middleName: '',
    organization: '',
    emails: [],
    phones: [],
    addresses: [],
    urls: [],
    labels: [],
    birthday: null,
    anniversary: null,
    notes: null,
    email: null,
    phone: null,
    photoUrl: photo.url,
  });
  t.deepEqual(w.repos.contacts.table.get(contact.id)?.card, card);
});

test('PATCH: null clears, [] empties, email/phone act on the first entry keeping its label, and disagreeing email and emails are refused', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, rich);
  const id = contact.id;
  const first = await w.useCases.patchContact(w.owner, id, { email: 'zoe@new.example', phone: null, nickname: null, urls: [] });
  t.like(first.contact, {
    email: 'zoe@new.example',
    emails: [
      { value: 'zoe@new.example', label: 'work' },
      { value: 'zoe@home.example', label: 'home' },
    ],
    phone: null,
    phones: [],
    nickname: '',
    urls: [],
    lastName: 'Adler',
    labels: ['Family', 'Climbing'],
  });
  const removed = await w.useCases.patchContact(w.owner, id, { email: null });
  t.deepEqual(removed.contact.emails, [{ value: 'zoe@home.example', label: 'home' }]);
  const added = await w.useCases.patchContact(w.owner, id, { phone: '+1 555 0100 ext. 12' });
  t.deepEqual(added.contact.phones, [{ value: '+1 555 0100 ext. 12', label: 'other' }]);
  const error = await t.throwsAsync(w.useCases.patchContact(w.owner, id, { email: 'a@example.com', emails: [{ value: 'b@example.com' }] }), {
    instanceOf: ValidationFailed,
  });
  t.deepEqual(
    error?.errors.map((e) => e.field),
    ['email'],
  );
  t.like(await w.useCases.patchContact(w.owner, id, { email: 'A@example.com', emails: [{ value: 'a@example.com', label: 'work' }] }), {
    contact: { email: 'a@example.com', emails: [{ value: 'a@example.com', label: 'work' }] },
  });
});

test('gaining an email another contact holds is refused; a change that adds no address never is, even when the contact already shares one', async (t) => {
  const w = await world();
  const { contact: a } = await w.useCases.createContact(w.owner, { firstName: 'A', email: 'shared@example.com' });
  // A CardDAV write may store a shared address ('allow'); REST must still let that contact be edited.
  const b = await w.repos.contacts.create(w.owner, { fields: { ...a, firstName: 'B', emails: [{ value: 'SHARED@example.com', label: 'other' }] } }, 'allow');
  await t.notThrowsAsync(w.useCases.patchContact(w.owner, b.id, { notes: 'still editable' }));
  await t.notThrowsAsync(w.useCases.replaceContact(w.owner, b.id, { firstName: 'B', email: 'shared@example.com' }));
  await t.notThrowsAsync(w.useCases.patchContact(w.owner, b.id, { emails: [{ value: 'Shared@example.com' }, { value: 'b@example.com' }] }));
  const taken = await t.throwsAsync(w.useCases.patchContact(w.owner, a.id, { emails: [{ value: 'shared@example.com' }, { value: 'B@example.com' }] }), {
    instanceOf: ContactEmailTaken,
  });
  t.is(taken?.holderId, b.id);
  await t.throwsAsync(w.useCases.createContact(w.owner, { firstName: 'C', emails: [{ value: 'x@example.com' }, { value: 'b@example.com' }] }), {
    instanceOf: ContactEmailTaken,
  });
});

test('a PATCH without If-Match that loses a race to another write reads again and applies itself to the newer contact', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, { firstName: 'Ann', notes: 'old' });
  const repo = w.repos.contacts;
  const update = repo.update.bind(repo);
  let raced = false;
  repo.update = async (...args: Parameters<typeof repo.update>) => {
    if (!raced) {
      raced = true;
      await update(w.owner, contact.id, { fields: { lastName: 'Lee' } }, 'refuse');
    }
    return update(...args);
  };
  const { contact: patched, version } = await w.useCases.patchContact(w.owner, contact.id, { notes: 'new' });
  t.like(patched, { lastName: 'Lee', notes: 'new' });
  t.is(version, 3);
  raced = false;
  await t.throwsAsync(w.useCases.patchContact(w.owner, contact.id, { notes: 'newer' }, [3]), { instanceOf: ContactChanged });
  t.like(await w.useCases.getContact(w.owner, contact.id), { contact: { notes: 'new' }, version: 4 });
});

test('fields= keeps only the named fields and id, on one contact and in a list; an unknown name is refused before any lookup', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, rich);
  t.deepEqual((await w.useCases.getContact(w.owner, contact.id, 'labels,firstName')).contact, {
    id: contact.id,
    labels: ['Family', 'Climbing'],
    firstName: 'Zoë',
  });
  t.deepEqual((await w.useCases.listContacts(w.owner, { fields: 'firstName' })).items, [{ id: contact.id, firstName: 'Zoë' }]);
  for (const bad of ['firstName,secret', 'userId']) {
    const error = await t.throwsAsync(w.useCases.getContact(w.owner, randomUUID(), bad), { instanceOf: ValidationFailed });
    t.deepEqual(
      error?.errors.map((e) => e.field),
      ['fields'],
    );
  }
  const both = await t.throwsAsync(w.useCases.listContacts(w.owner, { fields: 'nope', limit: 0 }), { instanceOf: ValidationFailed });
  t.deepEqual(both?.errors.map((e) => e.field).sort(), ['fields', 'limit']);
});

test('search: q ignores accents and case, finds phones by digits, organizations and labels; label= filters; sort=name and relevance', async (t) => {
  const w = await world();
  const smith = (await w.useCases.createContact(w.owner, { firstName: 'Zoey', lastName: 'Smith', labels: ['Work'] })).contact;
  const acme = (await w.useCases.createContact(w.owner, { organization: 'Zoe Industries' })).contact;
  const zoe = (await w.useCases.createContact(w.owner, rich)).contact;
  const ids = async (input: Record<string, unknown>) => (await w.useCases.listContacts(w.owner, input)).items.map((c) => c.id);
  t.deepEqual(await ids({ q: 'zoe' }), [smith.id, acme.id, zoe.id]);
  t.deepEqual(await ids({ q: 'ZOË' }), [smith.id, acme.id, zoe.id]);
  t.deepEqual(await ids({ q: '5550100' }), [zoe.id]);
  t.deepEqual(await ids({ q: '(555) 010' }), [zoe.id]);
  t.deepEqual(await ids({ q: 'acme' }), [zoe.id]);
  t.deepEqual(await ids({ q: 'climb' }), [zoe.id]);
  t.deepEqual(await ids({ q: 'HOME.EXAMPLE' }), [zoe.id]);
  t.deepEqual(await ids({ label: 'FAMILY' }), [zoe.id]);
  t.deepEqual(await ids({ label: 'Fam' }), []);
  // Whole first name, then a prefix of one, then a match elsewhere (the organization).
  t.deepEqual(await ids({ q: 'zoe', sort: 'relevance' }), [zoe.id, smith.id, acme.id]);
  // Last name, then first; a company's card sorts by its organization.
  t.deepEqual(await ids({ sort: 'name' }), [zoe.id, smith.id, acme.id]);
  t.deepEqual(await ids({ sort: 'created' }), [smith.id, acme.id, zoe.id]);
});

test('labels: listed with counts by name, renamed (merging) and deleted across the book; unknown labels and bad names refused', async (t) => {
  const w = await world();
  const a = (await w.useCases.createContact(w.owner, { firstName: 'A', labels: ['Family', 'Climbing'] })).contact;
  const b = (await w.useCases.createContact(w.owner, { firstName: 'B', labels: ['climbers'] })).contact;
  await w.useCases.createContact(w.other, { firstName: 'Other', labels: ['Secret'] });
  t.deepEqual(await w.useCases.listLabels(w.owner), {
    items: [
      { name: 'climbers', count: 1 },
      { name: 'Climbing', count: 1 },
      { name: 'Family', count: 1 },
    ],
  });
  t.deepEqual(await w.useCases.renameLabel(w.owner, 'CLIMBERS', { name: 'Climbing' }), { name: 'Climbing', count: 2 });
  t.deepEqual((await w.useCases.getContact(w.owner, b.id)).contact.labels, ['Climbing']);
  await t.throwsAsync(w.useCases.renameLabel(w.owner, 'Secret', { name: 'Mine' }), { instanceOf: NotFound });
  for (const name of ['', '   ', 'x'.repeat(51), 'a\u0000b', 7, undefined]) {
    const error = await t.throwsAsync(w.useCases.renameLabel(w.owner, 'Family', { name }), { instanceOf: ValidationFailed });
    t.deepEqual(
      error?.errors.map((e) => e.field),
      ['name'],
      String(name),
    );
  }
  await w.useCases.deleteLabel(w.owner, 'family');
  t.deepEqual((await w.useCases.getContact(w.owner, a.id)).contact.labels, ['Climbing']);
  await t.throwsAsync(w.useCases.deleteLabel(w.owner, 'Family'), { instanceOf: NotFound });
  await t.throwsAsync(w.useCases.deleteLabel(w.owner, 'Secret'), { instanceOf: NotFound });
  t.deepEqual((await w.useCases.listLabels(w.other)).items, [{ name: 'Secret', count: 1 }]);
});
