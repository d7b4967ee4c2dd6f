import test from 'ava';
import sharp from 'sharp';
import type { ContactPhotoStorage } from '../../src/application/ports/contact-photo-storage.js';
import type { ContactRepository } from '../../src/application/ports/contact-repository.js';
import type { ImageProcessor } from '../../src/application/ports/image-processor.js';
import { makeRemoveContactPhoto } from '../../src/application/use-cases/remove-contact-photo.js';
import {
  makeSetContactPhoto,
  PHOTO_STORE_CONCURRENCY,
  storeContactPhoto,
  storeContactPhotos,
  type ContactPhotoDeps,
} from '../../src/application/use-cases/set-contact-photo.js';
import { EMPTY_CONTACT_FIELDS } from '../../src/domain/contact.js';
import { ContactPhotoStorageFailed, ContactPhotoStorageTimeout, UnsupportedPhoto } from '../../src/domain/contact-photo.errors.js';
import { ContactChanged } from '../../src/domain/contact.errors.js';
import { NotFound, ServiceUnavailable, ValidationFailed } from '../../src/domain/errors.js';
import { fakeWorld, PASSWORD, verifiedUser } from '../fakes/fake-world.js';
import { png } from '../helpers/images.js';
import { jpegWithMetadata, pngBomb, solid } from '../helpers/photos.js';

async function worldWithContact(firstName = 'Bea') {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const contact = await world.repos.contacts.create(user.id, { fields: { ...EMPTY_CONTACT_FIELDS, firstName } }, 'refuse');
  return { world, user, contact };
}

const storedKeyOf = (url: string) => url.split('/').at(-1)!;

test('a photo is fitted in 512×512, stripped of its metadata, stored, and shown as the contact’s photoUrl with a new ETag', async (t) => {
  const { world, user, contact } = await worldWithContact();
  const { contact: view, version } = await world.useCases.setContactPhoto(user.id, contact.id, { image: await jpegWithMetadata(2000, 1000) });
  t.is(version, contact.version + 1);
  t.is(view.etag, `"${version}"`);
  t.regex(view.photoUrl ?? '', /^https:\/\/photos\.test\/cp-[0-9a-f]{40}\.jpg$/);
  t.deepEqual((await world.repos.contacts.findById(user.id, contact.id))?.photo, { url: view.photoUrl, key: storedKeyOf(view.photoUrl!) });
  const stored = world.photos.served(view.photoUrl!)!;
  const meta = await sharp(stored.bytes).metadata();
  t.like(meta, { format: 'jpeg', width: 512, height: 256 });
  t.is(meta.exif, undefined);
  t.is(meta.icc, undefined);
  t.is(meta.xmp, undefined);
  t.is(meta.comments, undefined);
});

test('replacing a photo removes the old one from the store; the contact points at the new one only', async (t) => {
  const { world, user, contact } = await worldWithContact();
  const first = await world.useCases.setContactPhoto(user.id, contact.id, { image: await solid(600, 600, 'png', false) });
  const second = await world.useCases.setContactPhoto(user.id, contact.id, { image: await solid(300, 200, 'webp', true) });
  t.not(second.contact.photoUrl, first.contact.photoUrl);
  t.is(world.photos.served(first.contact.photoUrl!), null);
  t.like(world.photos.served(second.contact.photoUrl!), { mediaType: 'image/png' });
  t.is(world.photos.photos.size, 1);
});

test('removing the photo takes it off the contact and out of the store; a contact without one is left as it is', async (t) => {
  const { world, user, contact } = await worldWithContact();
  const { contact: view } = await world.useCases.setContactPhoto(user.id, contact.id, { image: png(40, 40) });
  await world.useCases.removeContactPhoto(user.id, contact.id);
  const after = await world.repos.contacts.findById(user.id, contact.id);
  t.is(after?.photo, null);
  t.is(world.photos.served(view.photoUrl!), null);
  t.is(world.photos.photos.size, 0);
  await world.useCases.removeContactPhoto(user.id, contact.id);
  t.is((await world.repos.contacts.findById(user.id, contact.id))?.version, after?.version, 'no write for a photo that is not there');
});

test('another user’s contact, or one that does not exist, is NotFound, and nothing is stored', async (t) => {
  const { world, contact } = await worldWithContact();
  const { user: other } = await verifiedUser(world, 'other@example.com');
  await t.throwsAsync(world.useCases.setContactPhoto(other.id, contact.id, { image: png(8, 8) }), { instanceOf: NotFound });
  await t.throwsAsync(world.useCases.setContactPhoto(other.id, 'not-an-id', { image: png(8, 8) }), { instanceOf: NotFound });
  await t.throwsAsync(world.useCases.removeContactPhoto(other.id, contact.id), { instanceOf: NotFound });
  t.is(world.photos.saves, 0);
});

test('If-Match with an old version is ContactChanged before anything is processed or stored', async (t) => {
  const { world, user, contact } = await worldWithContact();
  await world.useCases.setContactPhoto(user.id, contact.id, { image: png(8, 8), expectedVersions: [contact.version] });
  const saves = world.photos.saves;
  await t.throwsAsync(world.useCases.setContactPhoto(user.id, contact.id, { image: png(9, 9), expectedVersions: [contact.version] }), {
    instanceOf: ContactChanged,
  });
  await t.throwsAsync(world.useCases.removeContactPhoto(user.id, contact.id, [contact.version]), { instanceOf: ContactChanged });
  t.is(world.photos.saves, saves);
  t.is(world.photos.photos.size, 1);
});

test('not an image is UnsupportedPhoto; no bytes, a bomb or a damaged file is ValidationFailed naming the photo; nothing is stored', async (t) => {
  const { world, user, contact } = await worldWithContact();
  await t.throwsAsync(world.useCases.setContactPhoto(user.id, contact.id, { image: Buffer.from('plain text, named photo.jpg') }), {
    instanceOf: UnsupportedPhoto,
  });
  for (const image of [undefined, Buffer.alloc(0), pngBomb(20_000, 20_000), png(200, 200, { pixels: false })]) {
    const error = await t.throwsAsync(world.useCases.setContactPhoto(user.id, contact.id, { image }), { instanceOf: ValidationFailed });
    t.is(error?.errors[0]?.field, 'photo');
  }
  t.is(world.photos.saves, 0);
  t.is((await world.repos.contacts.findById(user.id, contact.id))?.version, contact.version);
});

for (const failure of [new ContactPhotoStorageFailed(), new ContactPhotoStorageTimeout(), new ServiceUnavailable('contact photo storage')]) {
  test(`a store that fails (${failure.constructor.name}) surfaces the error and the contact keeps its photo`, async (t) => {
    const { world, user, contact } = await worldWithContact();
    const { contact: before } = await world.useCases.setContactPhoto(user.id, contact.id, { image: png(8, 8) });
    world.photos.failure = failure;
    await t.throwsAsync(world.useCases.setContactPhoto(user.id, contact.id, { image: png(10, 10) }), { instanceOf: failure.constructor as new () => Error });
    world.photos.failure = undefined;
    t.is((await world.repos.contacts.findById(user.id, contact.id))?.photo?.url ?? null, before.photoUrl);
    t.truthy(world.photos.served(before.photoUrl!));
  });
}

test('when the write fails after the photo was stored (the contact changed, or went), the new photo is removed again', async (t) => {
  const { world, user, contact } = await worldWithContact();
  const deps = { images: world.images, photos: world.photos, logger: world.logger };
  for (const [failure, setPhoto] of [
    [ContactChanged, async () => Promise.reject(new ContactChanged())],
    [NotFound, async () => null],
  ] as const) {
    const contacts = Object.create(world.repos.contacts, { setPhoto: { value: setPhoto } }) as ContactRepository;
    const setContactPhoto = makeSetContactPhoto({ ...deps, repos: { contacts } });
    await t.throwsAsync(setContactPhoto(user.id, contact.id, { image: png(8, 8) }), { instanceOf: failure as new (...args: never[]) => Error });
    t.is(world.photos.photos.size, 0, failure.name);
  }
});

test('an old photo the store cannot remove is logged; the contact has its new photo all the same', async (t) => {
  const { world, user, contact } = await worldWithContact();
  await world.useCases.setContactPhoto(user.id, contact.id, { image: png(8, 8) });
  world.photos.failRemovals = new ServiceUnavailable('contact photo storage');
  const { contact: view } = await world.useCases.setContactPhoto(user.id, contact.id, { image: png(9, 9) });
  t.is((await world.repos.contacts.findById(user.id, contact.id))?.photo?.url ?? null, view.photoUrl);
  t.true(world.logger.lines.some((line) => line.level === 'warn' && /could not be removed/.test(line.message)));
  await world.useCases.removeContactPhoto(user.id, contact.id);
  t.is((await world.repos.contacts.findById(user.id, contact.id))?.photo, null);
});

test('deleting the account removes every photo of its contacts from the store, and only those', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const { user: other } = await verifiedUser(world, 'other@example.com');
  for (const [owner, name] of [
    [user, 'A'],
    [user, 'B'],
    [other, 'C'],
  ] as const) {
    const contact = await world.repos.contacts.create(owner.id, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: name } }, 'refuse');
    await world.useCases.setContactPhoto(owner.id, contact.id, { image: png(8, 8) });
  }
  await world.repos.contacts.create(user.id, { fields: { ...EMPTY_CONTACT_FIELDS, firstName: 'No photo' } }, 'refuse');
  t.is(world.photos.photos.size, 3);
  await world.useCases.deleteAccount(user.id, { password: PASSWORD });
  await world.tasks.drain();
  t.deepEqual(
    [...world.photos.photos.values()].map((p) => p.ownerId),
    [other.id],
  );
});

// --- Photos carried by imported cards ----------------------------------------------------------------

const photoDeps = (world: ReturnType<typeof fakeWorld>): ContactPhotoDeps => ({ images: world.images, photos: world.photos, logger: world.logger });

test('storeContactPhoto fits and stores a card’s photo, or says why the card goes without it', async (t) => {
  const world = fakeWorld();
  const deps = photoDeps(world);
  const stored = await storeContactPhoto(deps, 'owner', { bytes: await jpegWithMetadata(800, 800), mediaType: 'image/jpeg' });
  t.true('photo' in stored);
  if ('photo' in stored) t.like(await sharp(world.photos.served(stored.photo.url)!.bytes).metadata(), { width: 512, height: 512, exif: undefined });
  t.deepEqual(await storeContactPhoto(deps, 'owner', { bytes: Buffer.from('not an image'), mediaType: 'image/jpeg' }), {
    skipped: 'the photo is not a PNG, JPEG, WebP or GIF image',
  });
  const bomb = await storeContactPhoto(deps, 'owner', { bytes: pngBomb(20_000, 20_000), mediaType: null });
  t.regex('skipped' in bomb ? bomb.skipped : '', /^the photo must be .* megapixels/);
  world.photos.failure = new ContactPhotoStorageTimeout();
  t.deepEqual(await storeContactPhoto(deps, 'owner', { bytes: png(4, 4), mediaType: null }), { skipped: 'the photo could not be stored now' });
  t.is(world.photos.photos.size, 1);
});

test('storeContactPhotos answers in the order of the cards, a few at a time, and stops trying once the store is down', async (t) => {
  const world = fakeWorld();
  let inFlight = 0;
  let most = 0;
  const counting: ContactPhotoStorage = {
    save: async (ownerId, image) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return world.photos.save(ownerId, image);
    },
    remove: (photo) => world.photos.remove(photo),
    read: (photo) => world.photos.read(photo),
  };
  const deps = { ...photoDeps(world), photos: counting };
  const image = { bytes: png(8, 8), mediaType: 'image/png' };
  const cards = [image, null, { bytes: Buffer.from('text'), mediaType: null }, undefined, ...Array.from({ length: 12 }, () => image)];
  const outcomes = await storeContactPhotos(deps, 'owner', cards);
  t.is(outcomes.length, cards.length);
  t.true(outcomes[0] != null && 'photo' in outcomes[0]);
  t.is(outcomes[1], null);
  t.deepEqual(outcomes[2], { skipped: 'the photo is not a PNG, JPEG, WebP or GIF image' });
  t.is(outcomes[3], null);
  t.true(outcomes.slice(4).every((o) => o !== null && 'photo' in o));
  t.true(most > 1 && most <= PHOTO_STORE_CONCURRENCY, `at most ${PHOTO_STORE_CONCURRENCY} at once (${most})`);

  world.photos.failure = new ServiceUnavailable('contact photo storage');
  const saves = world.photos.saves;
  const down = await storeContactPhotos(
    deps,
    'owner',
    Array.from({ length: 30 }, () => image),
  );
  t.true(down.every((o) => o !== null && 'skipped' in o));
  t.true(world.photos.saves - saves <= PHOTO_STORE_CONCURRENCY, 'the store is not asked 30 times');
});

test('removeContactPhoto with a repository that lost the contact meanwhile is NotFound', async (t) => {
  const { world, user, contact } = await worldWithContact();
  await world.useCases.setContactPhoto(user.id, contact.id, { image: png(8, 8) });
  const contacts = Object.create(world.repos.contacts, { setPhoto: { value: async () => null } }) as ContactRepository;
  const remove = makeRemoveContactPhoto({ repos: { contacts }, photos: world.photos, logger: world.logger });
  await t.throwsAsync(remove(user.id, contact.id), { instanceOf: NotFound });
  t.is(world.photos.photos.size, 1, 'the photo the contact still points at stays');
});

test('storeContactPhotos fits an image repeated in the file once, and stores a copy for each card', async (t) => {
  const world = fakeWorld();
  let fits = 0;
  const images: ImageProcessor = {
    fit: (bytes, options) => {
      fits += 1;
      return world.images.fit(bytes, options);
    },
  };
  const logo = { bytes: await solid(300, 100, 'png', false), mediaType: 'image/png' };
  const outcomes = await storeContactPhotos({ ...photoDeps(world), images }, 'owner', [logo, logo, { bytes: png(5, 5), mediaType: null }, logo, logo]);
  t.is(fits, 2);
  const keys = outcomes.map((o) => (o && 'photo' in o ? o.photo.key : null));
  t.is(new Set(keys).size, 5, 'each card owns its copy');
  t.is(world.photos.photos.size, 5);
});
