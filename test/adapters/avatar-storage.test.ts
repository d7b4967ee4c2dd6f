import test from 'ava';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudinaryAvatarStorage } from '../../src/adapters/storage/cloudinary-avatar-storage.js';
import { LocalDiskAvatarStorage } from '../../src/adapters/storage/local-disk-avatar-storage.js';
import { checkAvatarImage } from '../../src/domain/avatar.js';
import { AvatarStorageFailed, AvatarStorageTimeout } from '../../src/domain/avatar.errors.js';
import { ServiceUnavailable } from '../../src/domain/errors.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { InMemoryAvatarStorage } from '../fakes/in-memory-avatar-storage.js';
import { CloudinaryStandIn } from '../helpers/cloudinary-stand-in.js';
import { gif, png } from '../helpers/images.js';
import { avatarStorageContract } from '../contracts/avatar-storage.contract.js';

const PUBLIC_URL = 'http://app.test';

avatarStorageContract({
  name: 'in-memory',
  close: (subject) => subject.close(),
  async open() {
    const storage = new InMemoryAvatarStorage();
    return { storage, read: (url) => storage.read(url), count: async () => storage.images.size, close: async () => {} };
  },
});

avatarStorageContract({
  name: 'local disk',
  close: (subject) => subject.close(),
  async open() {
    const dir = await mkdtemp(path.join(tmpdir(), 'avatars-'));
    const storage = new LocalDiskAvatarStorage({ dir, publicUrl: PUBLIC_URL, logger: new CapturingLogger() });
    return {
      storage,
      async read(url) {
        const match = new RegExp(`^${PUBLIC_URL}/media/([^/?]+)\\?v=[0-9a-f]+$`).exec(url);
        return match ? storage.open(match[1]!) : null;
      },
      count: async () => (await readdir(dir)).length,
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

avatarStorageContract({
  name: 'cloudinary (SDK against a local stand-in)',
  close: (subject) => subject.close(),
  async open() {
    const standIn = await new CloudinaryStandIn().start();
    const storage = new CloudinaryAvatarStorage({ url: standIn.url(), timeoutMs: 5000, logger: new CapturingLogger() });
    return {
      storage,
      async read(url) {
        const asset = standIn.assetAt(url);
        return asset ? { bytes: asset.bytes, mediaType: `image/${asset.format === 'jpg' ? 'jpeg' : asset.format}` } : null;
      },
      count: async () => standIn.assets.size,
      close: () => standIn.close(),
    };
  },
});

// --- Cloudinary specifics -------------------------------------------------------------------------

async function cloudinary(timeoutMs = 5000, credentials: { key?: string; secret?: string } = {}) {
  const standIn = await new CloudinaryStandIn().start();
  const logger = new CapturingLogger();
  const storage = new CloudinaryAvatarStorage({ url: standIn.url(credentials), timeoutMs, logger });
  return { standIn, logger, storage };
}

test('Cloudinary: one signed upload per user under avatars/<userId>, overwriting, invalidating, cropped to a square', async (t) => {
  const { standIn, storage } = await cloudinary();
  t.teardown(() => standIn.close());
  const userId = randomUUID();
  const url = await storage.save(userId, checkAvatarImage(png(300, 200)));
  const asset = standIn.assets.get(`avatars/${userId}`);
  t.truthy(asset);
  t.is(url, `https://res.cloudinary.com/demo/image/upload/v${asset!.version}/avatars/${userId}.png`);
  t.like(asset!.params, { public_id: `avatars/${userId}`, overwrite: '1', invalidate: '1', transformation: 'c_fill,g_face,h_256,w_256' });
  t.false(JSON.stringify(asset!.params).includes(standIn.apiSecret), 'the secret signs the upload but is never sent');
});

test('Cloudinary: instances with other accounts do not share configuration', async (t) => {
  const right = await cloudinary();
  const wrong = await cloudinary(5000, { secret: 'not-the-secret' });
  t.teardown(() => Promise.all([right.standIn.close(), wrong.standIn.close()]));
  await t.throwsAsync(wrong.storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: AvatarStorageFailed });
  await t.notThrowsAsync(right.storage.save(randomUUID(), checkAvatarImage(png(4, 4))));
});

test('Cloudinary: refused credentials are AvatarStorageFailed, and the log carries neither secret nor key', async (t) => {
  for (const [credentials, answer] of [
    [{ secret: 'wrong-secret-value' }, /Invalid Signature/],
    [{ key: '987654321098765' }, /Invalid api_key \[redacted\]/], // Cloudinary echoes an unknown key
  ] as const) {
    const { standIn, storage, logger } = await cloudinary(5000, credentials);
    await t.throwsAsync(storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: AvatarStorageFailed });
    await standIn.close();
    t.is(standIn.assets.size, 0);
    const logged = JSON.stringify(logger.lines);
    t.regex(logged, answer);
    for (const secret of ['wrong-secret-value', '987654321098765', standIn.apiKey, standIn.apiSecret]) t.false(logged.includes(secret), secret);
  }
});

test('Cloudinary: a 500 is AvatarStorageFailed, a 503 ServiceUnavailable, a body without secure_url AvatarStorageFailed', async (t) => {
  const { standIn, storage } = await cloudinary();
  t.teardown(() => standIn.close());
  standIn.mode = 'error';
  await t.throwsAsync(storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: AvatarStorageFailed });
  standIn.mode = 'unavailable';
  await t.throwsAsync(storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: ServiceUnavailable });
  standIn.mode = 'no-url';
  await t.throwsAsync(storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: AvatarStorageFailed });
});

test('Cloudinary: an upload that gets no answer within the timeout is AvatarStorageTimeout', async (t) => {
  const { standIn, storage, logger } = await cloudinary(300);
  t.teardown(() => standIn.close());
  standIn.mode = 'slow';
  await t.throwsAsync(storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: AvatarStorageTimeout });
  t.regex(JSON.stringify(logger.lines), /timed out/);
});

test('Cloudinary: nothing listening is ServiceUnavailable', async (t) => {
  const { standIn, storage } = await cloudinary();
  await standIn.close();
  await t.throwsAsync(storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: ServiceUnavailable });
});

test('Cloudinary: remove is one signed destroy of avatars/<userId> with CDN invalidation, whatever the format', async (t) => {
  const { standIn, storage } = await cloudinary();
  t.teardown(() => standIn.close());
  const userId = randomUUID();
  await storage.save(userId, checkAvatarImage(gif()));
  await storage.remove(userId);
  await storage.remove(userId);
  t.is(standIn.assets.size, 0);
  t.like(standIn.destroyed, [
    { publicId: `avatars/${userId}`, found: true, params: { public_id: `avatars/${userId}`, invalidate: 'true', type: 'upload' } },
    { publicId: `avatars/${userId}`, found: false },
  ]);
  t.false(JSON.stringify(standIn.destroyed).includes(standIn.apiSecret));
});

test('Cloudinary: a failed remove is a domain error like a failed upload, and keeps the image', async (t) => {
  const { standIn, storage, logger } = await cloudinary(1500);
  t.teardown(() => standIn.close());
  const userId = randomUUID();
  await storage.save(userId, checkAvatarImage(png(4, 4)));
  standIn.mode = 'error';
  await t.throwsAsync(storage.remove(userId), { instanceOf: AvatarStorageFailed });
  standIn.mode = 'unavailable';
  await t.throwsAsync(storage.remove(userId), { instanceOf: ServiceUnavailable });
  standIn.mode = 'slow';
  await t.throwsAsync(storage.remove(userId), { instanceOf: AvatarStorageTimeout });
  t.is(standIn.assets.size, 1);
  t.regex(JSON.stringify(logger.lines), /avatar removal at Cloudinary timed out/);
  const wrong = await cloudinary(5000, { secret: 'not-the-secret' });
  t.teardown(() => wrong.standIn.close());
  await t.throwsAsync(wrong.storage.remove(userId), { instanceOf: AvatarStorageFailed });
});

// --- Local disk specifics -------------------------------------------------------------------------

test('local disk: one file per user whatever the type; URLs are named after the user and the detected type, and nothing else can be opened', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'avatars-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const storage = new LocalDiskAvatarStorage({ dir, publicUrl: PUBLIC_URL, logger: new CapturingLogger() });
  const userId = randomUUID();
  const url = await storage.save(userId, checkAvatarImage(png(4, 4)));
  t.regex(url, new RegExp(`^${PUBLIC_URL}/media/${userId}\\.png\\?v=[0-9a-f]{16}$`));
  t.deepEqual(await readdir(dir), [`${userId}.avatar`]);
  await writeFile(path.join(path.dirname(dir), 'secret.png'), 'not yours');
  for (const name of ['../secret.png', `${userId}.PNG`, `${userId}.png/`, `${userId}.svg`, '.', '', `${userId}.jpg`, `${userId}.avatar`, `${userId}`]) {
    t.is(await storage.open(name), null, name);
  }
  t.like(await storage.open(`${userId}.png`), { mediaType: 'image/png' });
});

test('local disk: a file an earlier release left as <userId>.<type> is served until the user saves or removes an avatar, then deleted', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'avatars-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const storage = new LocalDiskAvatarStorage({ dir, publicUrl: PUBLIC_URL, logger: new CapturingLogger() });
  const [saving, removing] = [randomUUID(), randomUUID()];
  for (const userId of [saving, removing]) await writeFile(path.join(dir, `${userId}.gif`), gif());
  t.deepEqual((await storage.open(`${saving}.gif`))?.bytes, gif());

  await storage.save(saving, checkAvatarImage(png(4, 4)));
  await storage.remove(removing);
  t.deepEqual(await readdir(dir), [`${saving}.avatar`]);
  t.is(await storage.open(`${saving}.gif`), null);
  t.is(await storage.open(`${removing}.gif`), null);
});

test('local disk: a directory that cannot be written is ServiceUnavailable for remove too, and logged', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'avatars-'));
  t.teardown(async () => {
    await chmod(dir, 0o700);
    await rm(dir, { recursive: true, force: true });
  });
  const logger = new CapturingLogger();
  const storage = new LocalDiskAvatarStorage({ dir, publicUrl: PUBLIC_URL, logger });
  const userId = randomUUID();
  await storage.save(userId, checkAvatarImage(png(4, 4)));
  await chmod(dir, 0o500);
  if (process.getuid?.() === 0) return t.pass('root ignores directory permissions');
  await t.throwsAsync(storage.remove(userId), { instanceOf: ServiceUnavailable });
  t.is(logger.lines.at(-1)?.level, 'error');
  await chmod(dir, 0o700);
  await storage.remove(userId);
  t.deepEqual(await readdir(dir), []);
});

test('local disk: a directory that cannot be written is ServiceUnavailable and leaves no temporary file', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'avatars-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const blocked = path.join(dir, 'uploads');
  await writeFile(blocked, 'a file where the directory should be');
  const logger = new CapturingLogger();
  const storage = new LocalDiskAvatarStorage({ dir: blocked, publicUrl: PUBLIC_URL, logger });
  await t.throwsAsync(storage.save(randomUUID(), checkAvatarImage(png(4, 4))), { instanceOf: ServiceUnavailable });
  t.deepEqual(await readdir(dir), ['uploads']);
  t.is(logger.lines[0]?.level, 'error');
});
