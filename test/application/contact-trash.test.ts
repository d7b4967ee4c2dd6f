import test from 'ava';
import type { ProcessedImage } from '../../src/application/ports/image-processor.js';
import { makePurgeExpiredTrash } from '../../src/application/use-cases/contact-trash.js';
import { ContactEmailTaken } from '../../src/domain/contact.errors.js';
import { NotFound, ValidationFailed } from '../../src/domain/errors.js';
import { InvalidSyncToken } from '../../src/domain/sync.js';
import { fakeWorld, verifiedUser } from '../fakes/fake-world.js';

async function world() {
  const w = fakeWorld();
  const owner = (await verifiedUser(w, 'owner@example.com')).user.id;
  return { ...w, owner };
}
const image: ProcessedImage = { bytes: new Uint8Array([1, 2, 3]), mediaType: 'image/png', extension: 'png', width: 1, height: 1 };

test('restore brings a trashed contact back; refused while a live contact holds its email; NotFound when not in the trash', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, { firstName: 'Ann', email: 'ann@example.com' });
  await w.useCases.deleteContact(w.owner, contact.id);
  const { contact: taker } = await w.useCases.createContact(w.owner, { firstName: 'Taker', email: 'Ann@Example.com' });
  await t.throwsAsync(w.useCases.restoreContact(w.owner, contact.id), { instanceOf: ContactEmailTaken });
  await w.useCases.deleteContact(w.owner, taker.id);
  t.like(await w.useCases.restoreContact(w.owner, contact.id), { contact: { id: contact.id, firstName: 'Ann' } });
  await t.throwsAsync(w.useCases.restoreContact(w.owner, contact.id), { instanceOf: NotFound });
});

test('purging removes the photos from storage; purging what is not in the trash is NotFound', async (t) => {
  const w = await world();
  const { contact } = await w.useCases.createContact(w.owner, { firstName: 'Ann' });
  const stored = await w.photos.save(w.owner, image);
  await w.repos.contacts.setPhoto(w.owner, contact.id, stored);
  await t.throwsAsync(w.useCases.purgeTrash(w.owner, contact.id), { instanceOf: NotFound });
  await w.useCases.deleteContact(w.owner, contact.id);
  t.true(w.photos.photos.has(stored.key), 'a trashed contact keeps its photo');
  await w.useCases.purgeTrash(w.owner, contact.id);
  t.false(w.photos.photos.has(stored.key));
  await w.useCases.purgeTrash(w.owner, null);
});

test('the expired-trash purge takes what waited longer than the days, with its photo, and leaves the rest', async (t) => {
  const w = await world();
  const { contact: old } = await w.useCases.createContact(w.owner, { firstName: 'Old' });
  const { contact: recent } = await w.useCases.createContact(w.owner, { firstName: 'Recent' });
  const stored = await w.photos.save(w.owner, image);
  await w.repos.contacts.setPhoto(w.owner, old.id, stored);
  await w.useCases.deleteContact(w.owner, old.id);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await w.useCases.deleteContact(w.owner, recent.id);
  let now = new Date(Date.now() + 30 * 86_400_000 - 10);
  const purge = makePurgeExpiredTrash({ repos: w.repos, photos: w.photos, logger: w.logger, days: 30, now: () => now });
  t.is(await purge(), 1);
  t.false(w.photos.photos.has(stored.key));
  t.like(await w.useCases.listTrash(w.owner, {}), { total: 1, items: [{ id: recent.id }] });
  now = new Date(Date.now() + 31 * 86_400_000);
  t.is(await purge(), 1);
  t.is(await purge(), 0);
});

test('listTrash and listChanges check their paging; a malformed token is InvalidSyncToken', async (t) => {
  const w = await world();
  for (const limit of [0, 101, Number.NaN]) await t.throwsAsync(w.useCases.listTrash(w.owner, { limit }), { instanceOf: ValidationFailed });
  await t.throwsAsync(w.useCases.listTrash(w.owner, { offset: -1 }), { instanceOf: ValidationFailed });
  for (const limit of [0, 1001, Number.NaN]) await t.throwsAsync(w.useCases.listChanges(w.owner, { limit }), { instanceOf: ValidationFailed });
  for (const since of ['', 'x', ['a', 'b']]) await t.throwsAsync(w.useCases.listChanges(w.owner, { since }), { instanceOf: InvalidSyncToken });
  const first = await w.useCases.listChanges(w.owner, {});
  t.deepEqual(first.changes, []);
  t.false(first.more);
  const { contact } = await w.useCases.createContact(w.owner, { firstName: 'Ann' });
  const next = await w.useCases.listChanges(w.owner, { since: first.next });
  t.like(next.changes, [{ id: contact.id, deleted: false, contact: { firstName: 'Ann' } }]);
});
