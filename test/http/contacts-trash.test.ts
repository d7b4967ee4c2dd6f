import type { ContactView } from '../../src/domain/contact.js';
import { BACKENDS } from '../helpers/databases.js';
import { solid } from '../helpers/photos.js';
import { eachBackend, PASSWORD, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';

type Trashed = ContactView & { deletedAt: string };
type TrashPage = { items: Trashed[]; total: number; limit: number; offset: number };

async function create(app: TestApp, token: string, json: Record<string, unknown>): Promise<ContactView> {
  const res = await app.request('/api/contacts', { method: 'POST', token, json });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ContactView;
}
const del = (app: TestApp, token: string, id: string) => app.request(`/api/contacts/${id}`, { method: 'DELETE', token });
async function trash(app: TestApp, token: string, query = ''): Promise<TrashPage> {
  const res = await app.request(`/api/contacts/trash${query}`, { token });
  if (res.status !== 200) throw new Error(`trash answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TrashPage;
}
const served = async (app: TestApp, url: string) => (await app.request(new URL(url).pathname)).status;

eachBackend(BACKENDS, (it) => {
  it('DELETE moves a contact to the trash: it leaves every view of the book and waits in GET /api/contacts/trash', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const ann = await create(app, token, { firstName: 'Ann', email: 'ann@example.com', labels: ['Family'], birthday: '1990-01-02' });
    const bob = await create(app, token, { firstName: 'Bob', labels: ['Family'] });
    t.is((await del(app, token, ann.id)).status, 204);
    t.is((await app.request(`/api/contacts/${ann.id}`, { token })).status, 404);
    t.is((await del(app, token, ann.id)).status, 404, 'a trashed contact is not deleted twice');
    t.is((await app.request(`/api/contacts/${ann.id}`, { method: 'PATCH', token, json: { notes: 'x' } })).status, 404);
    const list = (await (await app.request('/api/contacts', { token })).json()) as { items: ContactView[]; total: number };
    t.deepEqual(
      list.items.map((c) => c.id),
      [bob.id],
    );
    t.is(list.total, 1);
    const searched = (await (await app.request('/api/contacts?q=ann', { token })).json()) as { total: number };
    t.is(searched.total, 0);
    const labels = (await (await app.request('/api/labels', { token })).json()) as { items: unknown[] };
    t.deepEqual(labels.items, [{ name: 'Family', count: 1 }]);
    const birthdays = (await (await app.request('/api/contacts/birthdays?days=366', { token })).json()) as { items: unknown[] };
    t.deepEqual(birthdays.items, []);
    const exported = await (await app.request('/api/contacts/export', { token })).text();
    t.false(exported.includes('Ann'));
    // Its email is free again for REST.
    const again = await create(app, token, { firstName: 'Ann again', email: 'ANN@example.com' });
    const page = await trash(app, token);
    t.is(page.total, 1);
    t.is(page.limit, 20);
    t.is(page.offset, 0);
    t.like(page.items[0], { id: ann.id, firstName: 'Ann', labels: ['Family'], emails: ann.emails });
    t.regex(page.items[0]!.deletedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Restore: refused while a live contact holds its email, then back as it was.
    const refused = await app.request(`/api/contacts/${ann.id}/restore`, { method: 'POST', token });
    t.is(refused.status, 409);
    t.is(((await refused.json()) as { code: string }).code, 'CONTACT_EMAIL_TAKEN');
    t.is((await del(app, token, again.id)).status, 204);
    const restored = await app.request(`/api/contacts/${ann.id}/restore`, { method: 'POST', token });
    t.is(restored.status, 200);
    const back = (await restored.json()) as ContactView;
    t.like(back, { id: ann.id, firstName: 'Ann', labels: ['Family'], birthday: '1990-01-02', createdAt: ann.createdAt, updatedAt: ann.updatedAt });
    t.is(restored.headers.get('ETag'), back.etag);
    t.is((await app.request(`/api/contacts/${ann.id}`, { token })).status, 200);
    t.is((await app.request(`/api/contacts/${ann.id}/restore`, { method: 'POST', token })).status, 404, 'a live contact is not in the trash');
    t.is((await app.request(`/api/contacts/not-an-id/restore`, { method: 'POST', token })).status, 404);
  });

  it('the trash is most recently deleted first, paged, each user their own; purging one or all removes them and their photos', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const { accessToken: other } = await signUpAndLogIn(app);
    const ids: string[] = [];
    for (const name of ['A', 'B', 'C']) {
      const c = await create(app, token, { firstName: name });
      ids.push(c.id);
    }
    const photoRes = await app.request(`/api/contacts/${ids[1]}/photo`, {
      method: 'PUT',
      token,
      body: await solid(40, 40, 'png', false),
      headers: { 'Content-Type': 'image/png' },
    });
    const photoUrl = ((await photoRes.json()) as ContactView).photoUrl!;
    t.is(await served(app, photoUrl), 200);
    for (const id of ids) {
      t.is((await del(app, token, id)).status, 204);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = await trash(app, token, '?limit=2');
    t.deepEqual(
      first.items.map((c) => c.firstName),
      ['C', 'B'],
    );
    t.is(first.total, 3);
    t.deepEqual(
      (await trash(app, token, '?limit=2&offset=2')).items.map((c) => c.firstName),
      ['A'],
    );
    t.is((await trash(app, other)).total, 0);
    t.is((await app.request('/api/contacts/trash?limit=0', { token })).status, 422);
    t.is((await app.request('/api/contacts/trash?limit=101', { token })).status, 422);
    t.is((await app.request('/api/contacts/trash?offset=-1', { token })).status, 422);
    // Another user can neither purge nor restore it.
    t.is((await app.request(`/api/contacts/trash/${ids[1]}`, { method: 'DELETE', token: other })).status, 404);
    t.is((await app.request(`/api/contacts/${ids[1]}/restore`, { method: 'POST', token: other })).status, 404);
    t.is((await app.request(`/api/contacts/trash/${ids[1]}`, { method: 'DELETE', token })).status, 204);
    t.is(await served(app, photoUrl), 404, 'the purged contact’s photo is gone from storage');
    t.is((await app.request(`/api/contacts/trash/${ids[1]}`, { method: 'DELETE', token })).status, 404);
    t.is((await app.request(`/api/contacts/${ids[1]}/restore`, { method: 'POST', token })).status, 404);
    t.is((await app.request('/api/contacts/trash/nope', { method: 'DELETE', token })).status, 404);
    const live = await create(app, token, { firstName: 'Live' });
    t.is((await app.request(`/api/contacts/trash/${live.id}`, { method: 'DELETE', token })).status, 404, 'a live contact is not purged');
    t.is((await app.request('/api/contacts/trash', { method: 'DELETE', token })).status, 204);
    t.is((await trash(app, token)).total, 0);
    t.is((await app.request(`/api/contacts/${live.id}`, { token })).status, 200);
    t.is((await app.request('/api/contacts/trash', { method: 'DELETE', token })).status, 204, 'emptying an empty trash is fine');
  });

  it('a merge sends the others to the trash; the account export lists the trash', async (t, app) => {
    const { accessToken: token } = await signUpAndLogIn(app);
    const kept = await create(app, token, { firstName: 'Kept' });
    const folded = await create(app, token, { firstName: 'Folded', email: 'folded@example.com' });
    t.is((await app.request(`/api/contacts/${kept.id}/merge`, { method: 'POST', token, json: { ids: [folded.id] } })).status, 200);
    const page = await trash(app, token);
    t.deepEqual(
      page.items.map((c) => c.id),
      [folded.id],
    );
    const exported = (await (await app.request('/api/users/me/export', { token })).json()) as { contacts: ContactView[]; trash: Trashed[] };
    t.deepEqual(
      exported.contacts.map((c) => c.id),
      [kept.id],
    );
    t.like(exported.trash, [{ id: folded.id, firstName: 'Folded' }]);
    t.truthy(exported.trash[0]!.deletedAt);
  });

  it('deleting the account removes the trash and the photos of trashed contacts', async (t, app) => {
    const { accessToken: token, userId } = await signUpAndLogIn(app);
    const contact = await create(app, token, { firstName: 'Trashed' });
    const photoRes = await app.request(`/api/contacts/${contact.id}/photo`, {
      method: 'PUT',
      token,
      body: await solid(40, 40, 'png', false),
      headers: { 'Content-Type': 'image/png' },
    });
    const photoUrl = ((await photoRes.json()) as ContactView).photoUrl!;
    t.is((await del(app, token, contact.id)).status, 204);
    t.is(await served(app, photoUrl), 200, 'a trashed contact keeps its photo until purged');
    t.is((await app.request('/api/users/me', { method: 'DELETE', token, json: { password: PASSWORD } })).status, 204);
    await app.container.tasks.drain();
    t.is(await served(app, photoUrl), 404);
    t.is(await app.db.knex('contacts').where('userId', userId).first(), undefined);
  });
});
