import test from 'ava';
import { AvatarStorageFailed, AvatarStorageTimeout, UnsupportedImage } from '../../src/domain/avatar.errors.js';
import { ServiceUnavailable, ValidationFailed } from '../../src/domain/errors.js';
import { fakeWorld, verifiedUser } from '../fakes/fake-world.js';
import { jpeg, notImages, png } from '../helpers/images.js';

test('a new user starts with a Gravatar identicon for their email, never an empty link', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world, 'Ann@Example.com');
  t.regex(user.avatarUrl, /^https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{64}\?d=identicon$/);
});

test('uploading an avatar stores the bytes and gives the user the URL that serves them', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const bytes = png(32, 32);
  const updated = await world.useCases.updateAvatar({ userId: user.id, image: bytes });
  t.not(updated.avatarUrl, user.avatarUrl);
  t.is((await world.repos.users.findById(user.id))?.avatarUrl, updated.avatarUrl);
  const served = await world.avatars.read(updated.avatarUrl);
  t.deepEqual(served?.bytes, bytes);
  t.is(served?.mediaType, 'image/png');
  t.false('passwordHash' in updated);
});

test('the type is judged by the bytes: a JPEG is stored as a JPEG', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const updated = await world.useCases.updateAvatar({ userId: user.id, image: jpeg(16, 16) });
  t.is((await world.avatars.read(updated.avatarUrl))?.mediaType, 'image/jpeg');
});

test('the authenticated user sees the new avatar at once, though they were cached before', async (t) => {
  const world = fakeWorld();
  const { user, accessToken } = await verifiedUser(world);
  const before = await world.useCases.authenticate(accessToken); // fills the cache
  t.is(before.user.avatarUrl, user.avatarUrl);
  const updated = await world.useCases.updateAvatar({ userId: user.id, image: png(8, 8) });
  const after = await world.useCases.authenticate(accessToken);
  t.is(after.user.avatarUrl, updated.avatarUrl);
});

test('a new image gives a new URL, so browsers fetch it', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  const first = await world.useCases.updateAvatar({ userId: user.id, image: png(8, 8, { rgb: [1, 2, 3] }) });
  const second = await world.useCases.updateAvatar({ userId: user.id, image: png(8, 8, { rgb: [4, 5, 6] }) });
  t.not(second.avatarUrl, first.avatarUrl);
});

for (const [name, failure] of [
  ['refuses', new AvatarStorageFailed()],
  ['is unavailable', new ServiceUnavailable('avatar storage')],
  ['times out', new AvatarStorageTimeout()],
] as const) {
  test(`when the store ${name}, the error surfaces and the old avatar is kept, in the database and the cache`, async (t) => {
    const world = fakeWorld();
    const { user, accessToken } = await verifiedUser(world);
    const old = await world.useCases.updateAvatar({ userId: user.id, image: png(8, 8, { rgb: [1, 1, 1] }) });
    await world.useCases.authenticate(accessToken);
    world.avatars.failure = failure;
    const error = await t.throwsAsync(world.useCases.updateAvatar({ userId: user.id, image: png(8, 8, { rgb: [9, 9, 9] }) }));
    t.is(error, failure);
    t.is((await world.repos.users.findById(user.id))?.avatarUrl, old.avatarUrl);
    t.is((await world.useCases.authenticate(accessToken)).user.avatarUrl, old.avatarUrl);
    t.deepEqual((await world.avatars.read(old.avatarUrl))?.bytes, png(8, 8, { rgb: [1, 1, 1] }));
  });
}

test('something that is not an image is refused before the store is asked', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  for (const make of [notImages.svg, notImages.html, notImages.pdf]) {
    await t.throwsAsync(world.useCases.updateAvatar({ userId: user.id, image: make() }), { instanceOf: UnsupportedImage });
  }
  t.is(world.avatars.saves, 0);
  t.is((await world.repos.users.findById(user.id))?.avatarUrl, user.avatarUrl);
});

test('a missing file or absurd dimensions are validation errors on avatar, and nothing is stored', async (t) => {
  const world = fakeWorld();
  const { user } = await verifiedUser(world);
  for (const image of [undefined, png(50_000, 50_000, { pixels: false })]) {
    const error = await t.throwsAsync(world.useCases.updateAvatar({ userId: user.id, image }), { instanceOf: ValidationFailed });
    t.deepEqual(
      error?.errors.map((e) => e.field),
      ['avatar'],
    );
  }
  t.is(world.avatars.saves, 0);
});
