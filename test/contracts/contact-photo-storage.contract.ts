import { randomUUID } from 'node:crypto';
import type { ContactPhotoStorage } from '../../src/application/ports/contact-photo-storage.js';
import type { ProcessedImage } from '../../src/application/ports/image-processor.js';
import { detectImage } from '../../src/domain/image.js';
import { jpeg, png } from '../helpers/images.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface ContactPhotoStorageUnderTest {
  storage: ContactPhotoStorage;
  /** What a GET of the URL would serve: the bytes and their media type; null when nothing is there. */
  served(url: string): Promise<{ bytes: Buffer; mediaType: string } | null>;
  /** How many photos the store holds. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** A processed image as the ImageProcessor hands it over (these tiny files are valid images). */
export function processed(bytes: Buffer): ProcessedImage {
  const info = detectImage(bytes)!;
  return info.type === 'png'
    ? { bytes, mediaType: 'image/png', extension: 'png', width: info.width, height: info.height }
    : { bytes, mediaType: 'image/jpeg', extension: 'jpg', width: info.width, height: info.height };
}

/** The longest run of hexadecimal or base64url characters in the URL's last segment: where its randomness is. */
function randomPartOf(url: string): string {
  const name = new URL(url).pathname.split('/').at(-1) ?? '';
  return [...name.matchAll(/[0-9a-f]+/g)].map((m) => m[0]).sort((a, b) => b.length - a.length)[0] ?? '';
}

/** The behaviour every ContactPhotoStorage promises; registered once per adapter, each test on a fresh store. */
export function contactPhotoStorageContract(subject: ContractSubject<ContactPhotoStorageUnderTest>): void {
  const it = contractTest(subject);

  it('save answers an absolute URL that serves the same bytes with their type, and read gives them back by the stored photo', async (t, subject) => {
    for (const [bytes, mediaType] of [
      [jpeg(16, 8), 'image/jpeg'],
      [png(12, 12), 'image/png'],
    ] as const) {
      const photo = await subject.storage.save(randomUUID(), processed(bytes));
      t.regex(photo.url, /^https?:\/\/[^/]+\/\S+$/);
      t.true(photo.key.length > 0);
      t.like(await subject.served(photo.url), { bytes, mediaType });
      const read = await subject.storage.read(photo);
      t.deepEqual(Buffer.from(read!.bytes), bytes);
      t.is(read!.mediaType, mediaType);
    }
  });

  it('every save is a new object under a URL with at least 128 random bits, even for the same owner and bytes', async (t, subject) => {
    const ownerId = randomUUID();
    const photos = await Promise.all(Array.from({ length: 8 }, () => subject.storage.save(ownerId, processed(png(4, 4)))));
    t.is(new Set(photos.map((p) => p.url)).size, 8);
    t.is(new Set(photos.map((p) => p.key)).size, 8);
    t.is(await subject.count(), 8);
    for (const photo of photos) {
      t.true(randomPartOf(photo.url).length * 4 >= 128, `${photo.url} has too little randomness`);
      t.false(photo.url.includes(ownerId), 'the URL does not name the owner');
    }
  });

  it('remove deletes that photo only: its URL serves nothing, read is null, and removing again is fine', async (t, subject) => {
    const kept = await subject.storage.save(randomUUID(), processed(png(4, 4, { rgb: [1, 2, 3] })));
    const gone = await subject.storage.save(randomUUID(), processed(jpeg(8, 8)));
    await subject.storage.remove(gone);
    t.is(await subject.served(gone.url), null);
    t.is(await subject.storage.read(gone), null);
    t.is(await subject.count(), 1);
    await t.notThrowsAsync(subject.storage.remove(gone));
    t.like(await subject.served(kept.url), { bytes: png(4, 4, { rgb: [1, 2, 3] }) });
  });

  it('a key the store never made is neither read nor removed', async (t, subject) => {
    const kept = await subject.storage.save(randomUUID(), processed(png(4, 4)));
    for (const key of ['../../etc/passwd', 'avatars/someone', '', kept.key.replace(/[0-9a-f](?=[^0-9a-f]*$)/, 'g')]) {
      await t.notThrowsAsync(subject.storage.remove({ url: kept.url, key }), key);
    }
    t.is(await subject.count(), 1);
    t.truthy(await subject.storage.read(kept));
  });
}
