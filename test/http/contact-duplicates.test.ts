import { type ContactView, validateContact } from '../../src/domain/contact.js';
import { BACKENDS } from '../helpers/databases.js';
import { solid } from '../helpers/photos.js';
import { eachBackend, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';

type Groups = { groups: { reason: string; contacts: ContactView[] }[] };

async function create(app: TestApp, token: string, json: Record<string, unknown>): Promise<ContactView> {
  const res = await app.request('/api/contacts', { method: 'POST', token, json });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ContactView;
}

async function duplicates(app: TestApp, token: string): Promise<Groups> {
  const res = await app.request('/api/contacts/duplicates', { token });
  if (res.status !== 200) throw new Error(`duplicates answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Groups;
}

async function withPhoto(app: TestApp, token: string, id: string): Promise<string> {
  const res = await app.request(`/api/contacts/${id}/photo`, {
    method: 'PUT',
    token,
    body: await solid(40, 40, 'png', false),
    headers: { 'Content-Type': 'image/png' },
  });
  if (res.status !== 200) throw new Error(`photo answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as ContactView).photoUrl!;
}

const served = async (app: TestApp, url: string) => (await app.request(new URL(url).pathname)).status;

const merge = (app: TestApp, token: string, id: string, json: unknown, headers: Record<string, string> = {}) =>
  app.request(`/api/contacts/${id}/merge`, { method: 'POST', token, json, headers });

/**
 * A contact stored as a CardDAV write stores it (TakenEmails 'allow'): REST refuses to give a
 * second contact an email the book holds, so a shared email can only come this way (or a merge).
 */
async function storeAllowingTakenEmails(app: TestApp, userId: string, json: Record<string, unknown>): Promise<string> {
  return (await app.container.repos.contacts.create(userId, { fields: validateContact(json, '2026-01-01') }, 'allow')).id;
}

eachBackend(BACKENDS, (it) => {
  it('GET /api/contacts/duplicates groups contacts by shared phone (formatting and country code aside) and full name (case and accents aside), strongest reason first, a contact once', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const zoe = await create(app, accessToken, { firstName: 'Zoë', lastName: 'Ångström', phones: [{ value: '+1 (555) 010-0100', label: 'mobile' }] });
    const zoe2 = await create(app, accessToken, { firstName: 'zoe', lastName: 'ANGSTROM' });
    const bob = await create(app, accessToken, { firstName: 'Bob', phones: [{ value: '555 010 0100', label: 'home' }] });
    const pat = await create(app, accessToken, { firstName: 'Pat', lastName: 'Kim', email: 'pat@example.com' });
    const pat2 = await create(app, accessToken, { firstName: 'PAT', lastName: 'kim' });
    await create(app, accessToken, { firstName: 'Alone', email: 'alone@example.com' });
    await create(app, accessToken, { firstName: '', organization: 'Acme' });
    await create(app, accessToken, { firstName: '', organization: 'Acme' });
    const body = await duplicates(app, accessToken);
    t.deepEqual(
      body.groups.map((g) => ({ reason: g.reason, ids: g.contacts.map((c) => c.id) })),
      [
        { reason: 'phone', ids: [zoe.id, zoe2.id, bob.id] },
        { reason: 'name', ids: [pat.id, pat2.id] },
      ],
    );
    // Whole contacts, as GET /api/contacts/:id shows them.
    t.like(body.groups[1]!.contacts[0], { firstName: 'Pat', email: 'pat@example.com', etag: pat.etag });
    // Another user's book is not searched.
    const other = await signUpAndLogIn(app);
    t.deepEqual(await duplicates(app, other.accessToken), { groups: [] });
  });

  it('contacts sharing an email (any case) are one group whose reason is email, even when a phone links a third', async (t, app) => {
    const { accessToken, userId } = await signUpAndLogIn(app);
    const first = await create(app, accessToken, { firstName: 'Sam', email: 'sam@example.com', phone: '555-0199' });
    const second = await storeAllowingTakenEmails(app, userId, { firstName: 'Samuel', email: 'SAM@Example.com' });
    const third = await create(app, accessToken, { firstName: 'S.', phone: '555 0199' });
    t.deepEqual(
      (await duplicates(app, accessToken)).groups.map((g) => ({ reason: g.reason, ids: g.contacts.map((c) => c.id) })),
      [{ reason: 'email', ids: [first.id, second, third.id] }],
    );
  });

  it('a book larger than a page of the scan: every pair found, in book order, each group read in full', async (t, app) => {
    const { accessToken, userId } = await signUpAndLogIn(app);
    // 1,200 contacts (the scan reads 500 at a time): contact i and i + 600 share a name.
    const list = Array.from({ length: 1_200 }, (_, i) => ({ fields: validateContact({ firstName: `Person ${i % 600}`, lastName: 'Same' }, '2026-01-01') }));
    t.true((await app.container.repos.contacts.createMany(userId, list)).every((holder) => holder === null));
    const { groups } = await duplicates(app, accessToken);
    t.is(groups.length, 600);
    t.true(groups.every((g) => g.reason === 'name' && g.contacts.length === 2 && g.contacts[0]!.firstName === g.contacts[1]!.firstName));
    t.deepEqual(
      groups.slice(0, 3).map((g) => g.contacts[0]!.firstName),
      ['Person 0', 'Person 1', 'Person 2'],
    );
  });

  it('/api/contacts/duplicates is not read as a contact id, and needs a token', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    t.is((await app.request('/api/contacts/duplicates', { token: accessToken })).status, 200);
    t.is((await app.request('/api/contacts/duplicates')).status, 401);
  });

  it('POST /api/contacts/:id/merge keeps the target’s values, fills its empty fields in the given order, unites lists and labels, deletes the others', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const kept = await create(app, accessToken, {
      firstName: 'Ann',
      emails: [{ value: 'ann@example.com', label: 'home' }],
      phones: [{ value: '+1 555 010 0100', label: 'mobile' }],
      labels: ['Family'],
    });
    const a = await create(app, accessToken, {
      firstName: 'Anna',
      lastName: 'Lee',
      organization: 'Acme',
      birthday: '1990-05-17',
      emails: [{ value: 'ann@work.example', label: 'work' }],
      phones: [{ value: '+1 (555) 010-0100', label: 'home' }],
      labels: ['family', 'Work'],
    });
    const b = await create(app, accessToken, {
      firstName: 'A.',
      lastName: 'Leigh',
      nickname: 'Annie',
      notes: 'met in 2019',
      urls: [{ value: 'https://ann.example', label: 'home' }],
    });
    const res = await merge(app, accessToken, kept.id, { ids: [a.id, b.id] });
    t.is(res.status, 200);
    const merged = (await res.json()) as ContactView;
    t.like(merged, { id: kept.id, firstName: 'Ann', lastName: 'Lee', organization: 'Acme', nickname: 'Annie', birthday: '1990-05-17', notes: 'met in 2019' });
    t.deepEqual(merged.emails, [
      { value: 'ann@example.com', label: 'home' },
      { value: 'ann@work.example', label: 'work' },
    ]);
    t.deepEqual(merged.phones, [{ value: '+1 555 010 0100', label: 'mobile' }]);
    t.deepEqual(merged.labels, ['Family', 'Work']);
    t.deepEqual(merged.urls, [{ value: 'https://ann.example', label: 'home' }]);
    t.is(res.headers.get('etag'), merged.etag);
    t.not(merged.etag, kept.etag);
    // The others are gone; the target reads back as answered.
    t.is((await app.request(`/api/contacts/${a.id}`, { token: accessToken })).status, 404);
    t.is((await app.request(`/api/contacts/${b.id}`, { token: accessToken })).status, 404);
    t.like(await (await app.request(`/api/contacts/${kept.id}`, { token: accessToken })).json(), { lastName: 'Lee', labels: ['Family', 'Work'] });
    t.deepEqual(await duplicates(app, accessToken), { groups: [] });
  });

  it('merge: 404 for an id not in the book (another user’s included) and nothing changes; 422 for empty, own, repeated or too many ids', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const other = await signUpAndLogIn(app);
    const kept = await create(app, accessToken, { firstName: 'Kept' });
    const mine = await create(app, accessToken, { firstName: 'Mine', lastName: 'Filled' });
    const theirs = await create(app, other.accessToken, { firstName: 'Theirs' });
    for (const ids of [[mine.id, theirs.id], ['not-an-id'], [mine.id, '00000000-0000-4000-8000-000000000000']]) {
      const res = await merge(app, accessToken, kept.id, { ids });
      t.is(res.status, 404, JSON.stringify(ids));
    }
    t.is((await merge(app, accessToken, '00000000-0000-4000-8000-000000000000', { ids: [mine.id] })).status, 404);
    t.is((await app.request(`/api/contacts/${mine.id}`, { token: accessToken })).status, 200);
    t.like(await (await app.request(`/api/contacts/${kept.id}`, { token: accessToken })).json(), { lastName: '', etag: kept.etag });

    const tooMany = Array.from({ length: 51 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const body of [
      { ids: [] },
      { ids: [kept.id] },
      { ids: [kept.id.toUpperCase()] },
      { ids: [mine.id, mine.id] },
      { ids: [mine.id, mine.id.toUpperCase()] },
      { ids: tooMany },
      {},
      { ids: 'x' },
      { ids: [1] },
    ]) {
      const res = await merge(app, accessToken, kept.id, body);
      t.is(res.status, 422, JSON.stringify(body).slice(0, 60));
      const problem = (await res.json()) as { errors?: { field: string }[] };
      t.is(problem.errors?.[0]?.field, 'ids');
    }
  });

  it('merge: a target without a photo takes the first other’s; the others keep theirs in the trash until purged, and purging never takes the one that moved', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const kept = await create(app, accessToken, { firstName: 'Kept' });
    const first = await create(app, accessToken, { firstName: 'First' });
    const second = await create(app, accessToken, { firstName: 'Second' });
    const firstPhoto = await withPhoto(app, accessToken, first.id);
    const secondPhoto = await withPhoto(app, accessToken, second.id);
    const res = await merge(app, accessToken, kept.id, { ids: [first.id, second.id] });
    t.is(res.status, 200);
    t.is(((await res.json()) as ContactView).photoUrl, firstPhoto);
    const trash = (await (await app.request('/api/contacts/trash', { token: accessToken })).json()) as { items: ContactView[] };
    const trashed = new Map(trash.items.map((c) => [c.id, c]));
    t.is(trashed.get(first.id)?.photoUrl, null, 'the photo moved to the kept contact');
    t.is(trashed.get(second.id)?.photoUrl, secondPhoto);
    t.is(await served(app, secondPhoto), 200);

    // A target with a photo keeps it; the other's stays with it in the trash.
    const third = await create(app, accessToken, { firstName: 'Third' });
    const thirdPhoto = await withPhoto(app, accessToken, third.id);
    const again = (await (await merge(app, accessToken, kept.id, { ids: [third.id] })).json()) as ContactView;
    t.is(again.photoUrl, firstPhoto);
    t.is(await served(app, thirdPhoto), 200);
    t.is((await app.request('/api/contacts/trash', { method: 'DELETE', token: accessToken })).status, 204);
    t.is(await served(app, secondPhoto), 404);
    t.is(await served(app, thirdPhoto), 404);
    t.is(await served(app, firstPhoto), 200);
  });

  it('merge honours If-Match: a stale tag is 412 and nothing changes; the current one merges', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const kept = await create(app, accessToken, { firstName: 'Kept' });
    const other = await create(app, accessToken, { firstName: 'Other', lastName: 'Name' });
    await app.request(`/api/contacts/${kept.id}`, { method: 'PATCH', token: accessToken, json: { nickname: 'K' } });
    const stale = await merge(app, accessToken, kept.id, { ids: [other.id] }, { 'If-Match': kept.etag });
    t.is(stale.status, 412);
    t.is((await app.request(`/api/contacts/${other.id}`, { token: accessToken })).status, 200);
    const current = ((await (await app.request(`/api/contacts/${kept.id}`, { token: accessToken })).json()) as ContactView).etag;
    const res = await merge(app, accessToken, kept.id, { ids: [other.id] }, { 'If-Match': current });
    t.is(res.status, 200);
    t.like(await res.json(), { firstName: 'Kept', lastName: 'Name', nickname: 'K' });
  });
});
