import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudinaryContactPhotoStorage } from '../../src/adapters/storage/cloudinary-contact-photo-storage.js';
import { LocalDiskContactPhotoStorage } from '../../src/adapters/storage/local-disk-contact-photo-storage.js';
import { ContactPhotoStorageFailed, ContactPhotoStorageTimeout } from '../../src/domain/contact-photo.errors.js';
import { ServiceUnavailable } from '../../src/domain/errors.js';
import { processed, contactPhotoStorageContract } from '../contracts/contact-photo-storage.contract.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { InMemoryContactPhotoStorage } from '../fakes/in-memory-contact-photo-storage.js';
import { standInDelivery } from '../helpers/cloudinary-delivery.js';
import { CloudinaryStandIn } from '../helpers/cloudinary-stand-in.js';
import { jpeg, png } from '../helpers/images.js';

const PUBLIC_URL = 'http://app.test';

contactPhotoStorageContract({
  name: 'in-memory',
  async open() {
    const storage = new InMemoryContactPhotoStorage();
    return { storage, served: async (url) => storage.served(url), count: async () => storage.photos.size, close: async () => {} };
  },
});

contactPhotoStorageContract({
  name: 'local disk',
  close: (subject) => subject.close(),
  async open() {
    const dir = await mkdtemp(path.join(tmpdir(), 'contact-photos-'));
    const storage = new LocalDiskContactPhotoStorage({ dir, publicUrl: PUBLIC_URL, logger: new CapturingLogger() });
    return {
      storage,
      async served(url) {
        const match = new RegExp(`^${PUBLIC_URL}/media/([^/?]+)$`).exec(url);
        return match ? storage.open(match[1]!) : null;
      },
      count: async () => (await readdir(dir)).length,
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

contactPhotoStorageContract({
  name: 'cloudinary (SDK against a local stand-in)',
  close: (subject) => subject.close(),
  async open() {
    const standIn = await new CloudinaryStandIn().start();
    const storage = new CloudinaryContactPhotoStorage({ url: standIn.url(), timeoutMs: 5000, logger: new CapturingLogger(), fetch: standInDelivery(standIn) });
    return {
      storage,
      async served(url) {
        const asset = standIn.assetAt(url);
        return asset ? { bytes: asset.bytes, mediaType: `image/${asset.format === 'jpg' ? 'jpeg' : asset.format}` } : null;
      },
      count: async () => standIn.assets.size,
      close: () => standIn.close(),
    };
  },
});

// --- Cloudinary specifics -------------------------------------------------------------------------

async function cloudinary(timeoutMs = 5000, delivery?: typeof fetch) {
  const standIn = await new CloudinaryStandIn().start();
  const logger = new CapturingLogger();
  const storage = new CloudinaryContactPhotoStorage({ url: standIn.url(), timeoutMs, logger, fetch: delivery ?? standInDelivery(standIn) });
  return { standIn, logger, storage };
}

test('Cloudinary: each photo is a signed upload under contact-photos/<random>, never overwriting, untransformed', async (t) => {
  const { standIn, storage } = await cloudinary();
  t.teardown(() => standIn.close());
  const photo = await storage.save(randomUUID(), processed(jpeg(16, 16)));
  t.regex(photo.key, /^contact-photos\/[0-9a-f]{40}$/);
  const asset = standIn.assets.get(photo.key)!;
  t.is(photo.url, `https://res.cloudinary.com/demo/image/upload/v${asset.version}/${photo.key}.jpg`);
  t.like(asset.params, { public_id: photo.key, overwrite: '0' });
  t.is(asset.params.transformation, undefined);
  t.deepEqual(asset.bytes, jpeg(16, 16));
});

test('Cloudinary: remove is a signed destroy with CDN invalidation; failures are domain errors and keep the photo', async (t) => {
  const { standIn, storage } = await cloudinary(1500);
  t.teardown(() => standIn.close());
  const photo = await storage.save(randomUUID(), processed(png(4, 4)));
  standIn.mode = 'error';
  await t.throwsAsync(storage.remove(photo), { instanceOf: ContactPhotoStorageFailed });
  standIn.mode = 'unavailable';
  await t.throwsAsync(storage.remove(photo), { instanceOf: ServiceUnavailable });
  standIn.mode = 'slow';
  await t.throwsAsync(storage.remove(photo), { instanceOf: ContactPhotoStorageTimeout });
  t.is(standIn.assets.size, 1);
  standIn.mode = 'ok';
  await storage.remove(photo);
  t.like(standIn.destroyed.at(-1), { publicId: photo.key, found: true, params: { invalidate: 'true' } });
  t.is(standIn.assets.size, 0);
});

test('Cloudinary: a failed upload is ContactPhotoStorageFailed, ServiceUnavailable or ContactPhotoStorageTimeout, and the log names no secret', async (t) => {
  const { standIn, storage, logger } = await cloudinary(1500);
  t.teardown(() => standIn.close());
  const cases: [typeof standIn.mode, new (...args: never[]) => Error][] = [
    ['error', ContactPhotoStorageFailed],
    ['unavailable', ServiceUnavailable],
    ['no-url', ContactPhotoStorageFailed],
    ['slow', ContactPhotoStorageTimeout],
  ];
  for (const [mode, error] of cases) {
    standIn.mode = mode;
    await t.throwsAsync(storage.save(randomUUID(), processed(png(4, 4))), { instanceOf: error }, mode);
  }
  const logged = JSON.stringify(logger.lines);
  t.regex(logged, /contact photo upload at Cloudinary timed out/);
  t.false(logged.includes(standIn.apiSecret));
});

test('Cloudinary: read fetches the delivery URL within the timeout; a CDN that stalls is ContactPhotoStorageTimeout, one that is down ServiceUnavailable', async (t) => {
  const stalled: typeof fetch = (_url, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));
  const { standIn, storage } = await cloudinary(1500, stalled);
  t.teardown(() => standIn.close());
  const photo = await storage.save(randomUUID(), processed(png(4, 4)));
  await t.throwsAsync(storage.read(photo), { instanceOf: ContactPhotoStorageTimeout });

  const down = new CloudinaryContactPhotoStorage({
    url: standIn.url(),
    timeoutMs: 1500,
    logger: new CapturingLogger(),
    fetch: async () => new Response('busy', { status: 503 }),
  });
  await t.throwsAsync(down.read(photo), { instanceOf: ServiceUnavailable });
  const notAnImage = new CloudinaryContactPhotoStorage({
    url: standIn.url(),
    timeoutMs: 1500,
    logger: new CapturingLogger(),
    fetch: async () => new Response('<html>'),
  });
  t.is(await notAnImage.read(photo), null);
});

// --- Local disk specifics -------------------------------------------------------------------------

test('local disk: one file per photo named cp-<160 random bits>.<type>; nothing else in or beside the directory can be opened', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'contact-photos-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const storage = new LocalDiskContactPhotoStorage({ dir, publicUrl: PUBLIC_URL, logger: new CapturingLogger() });
  const photo = await storage.save(randomUUID(), processed(png(4, 4)));
  t.regex(photo.url, new RegExp(`^${PUBLIC_URL}/media/cp-[0-9a-f]{40}\\.png$`));
  t.deepEqual(await readdir(dir), [photo.key]);
  await writeFile(path.join(path.dirname(dir), 'secret.png'), png(2, 2));
  await writeFile(path.join(dir, 'cp-notours.png'), png(2, 2));
  for (const name of ['../secret.png', 'cp-notours.png', photo.key.toUpperCase(), `${photo.key}/`, photo.key.replace('.png', '.jpg'), '.', '']) {
    t.is(await storage.open(name), null, name);
  }
  t.like(await storage.open(photo.key), { mediaType: 'image/png' });
});

test('local disk: a directory that cannot be written is ServiceUnavailable, logged, and leaves no file', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'contact-photos-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const blocked = path.join(dir, 'contact-photos');
  await writeFile(blocked, 'a file where the directory should be');
  const logger = new CapturingLogger();
  const storage = new LocalDiskContactPhotoStorage({ dir: blocked, publicUrl: PUBLIC_URL, logger });
  await t.throwsAsync(storage.save(randomUUID(), processed(png(4, 4))), { instanceOf: ServiceUnavailable });
  t.deepEqual(await readdir(dir), ['contact-photos']);
  t.is(logger.lines[0]?.level, 'error');
});
