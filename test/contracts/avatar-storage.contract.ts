import { randomUUID } from 'node:crypto';
import type { AvatarStorage } from '../../src/application/ports/avatar-storage.js';
import { checkAvatarImage } from '../../src/domain/avatar.js';
import { gif, jpeg, png, webp } from '../helpers/images.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface AvatarStorageUnderTest {
  storage: AvatarStorage;
  /** What a GET of the URL would serve: the bytes and their media type; null when nothing is there. */
  read(url: string): Promise<{ bytes: Buffer; mediaType: string } | null>;
  /** How many objects the store holds. */
  count(): Promise<number>;
  close(): Promise<void>;
}

const image = (bytes: Buffer) => checkAvatarImage(bytes);

/** The behaviour every AvatarStorage promises; registered once per adapter, each test on a fresh store. */
export function avatarStorageContract(subject: ContractSubject<AvatarStorageUnderTest>): void {
  const it = contractTest(subject);

  it('save returns an absolute URL that serves the same bytes with the detected media type', async (t, subject) => {
    const cases = [
      [png(12, 12), 'image/png'],
      [jpeg(16, 8), 'image/jpeg'],
      [webp.lossless(), 'image/webp'],
      [gif(), 'image/gif'],
    ] as const;
    for (const [bytes, mediaType] of cases) {
      const url = await subject.storage.save(randomUUID(), image(bytes));
      t.regex(url, /^https?:\/\/[^/]+\/\S+$/);
      const served = await subject.read(url);
      t.deepEqual(served?.bytes, bytes, mediaType);
      t.is(served?.mediaType, mediaType);
    }
  });

  it('saving again for the same user replaces the image under a new URL and leaves no second object', async (t, subject) => {
    const userId = randomUUID();
    const first = await subject.storage.save(userId, image(png(8, 8, { rgb: [10, 20, 30] })));
    const second = await subject.storage.save(userId, image(png(8, 8, { rgb: [40, 50, 60] })));
    t.not(second, first);
    t.deepEqual((await subject.read(second))?.bytes, png(8, 8, { rgb: [40, 50, 60] }));
    t.is(await subject.count(), 1);
  });

  it('a retry with the same image overwrites instead of leaving an orphan', async (t, subject) => {
    const userId = randomUUID();
    const bytes = png(8, 8);
    await subject.storage.save(userId, image(bytes));
    const again = await subject.storage.save(userId, image(bytes));
    t.is(await subject.count(), 1);
    t.deepEqual((await subject.read(again))?.bytes, bytes);
  });

  it("each user's avatar is kept apart from everyone else's", async (t, subject) => {
    const a = await subject.storage.save(randomUUID(), image(png(4, 4, { rgb: [255, 0, 0] })));
    const b = await subject.storage.save(randomUUID(), image(png(4, 4, { rgb: [0, 0, 255] })));
    t.not(a, b);
    t.deepEqual((await subject.read(a))?.bytes, png(4, 4, { rgb: [255, 0, 0] }));
    t.deepEqual((await subject.read(b))?.bytes, png(4, 4, { rgb: [0, 0, 255] }));
    t.is(await subject.count(), 2);
  });

  it('an image of another type replaces the old one: the old URL serves it no more and one object remains', async (t, subject) => {
    const userId = randomUUID();
    const steps = [gif(), png(6, 6), jpeg(8, 8), webp.lossless(), gif({ width: 2, height: 3 })];
    const urls: string[] = [];
    for (const bytes of steps) {
      urls.push(await subject.storage.save(userId, image(bytes)));
      t.is(await subject.count(), 1, `after the ${urls.length}. save`);
    }
    for (const [i, url] of urls.slice(0, -1).entries()) {
      const served = await subject.read(url);
      t.false(served?.bytes.equals(steps[i]!) ?? false, `${url} still serves the image it was made for`);
    }
    t.deepEqual((await subject.read(urls.at(-1)!))?.bytes, steps.at(-1));
  });

  it('parallel saves of different types for one user leave exactly one object, served by one of the URLs', async (t, subject) => {
    const userId = randomUUID();
    const images = [png(5, 5), gif(), jpeg(6, 6), webp.lossy(), png(7, 7), gif()];
    const urls = await Promise.all(images.map((bytes) => subject.storage.save(userId, image(bytes))));
    t.is(await subject.count(), 1);
    const served = await Promise.all(urls.map((url) => subject.read(url)));
    t.true(served.some((s, i) => s?.bytes.equals(images[i]!)));
  });

  it("remove deletes the avatar whatever its type, only that user's, and resolves again when there is none", async (t, subject) => {
    const kept = await subject.storage.save(randomUUID(), image(png(4, 4)));
    for (const bytes of [png(8, 8), jpeg(8, 8), webp.lossless(), gif()]) {
      const userId = randomUUID();
      const url = await subject.storage.save(userId, image(bytes));
      t.is(await subject.count(), 2);
      await subject.storage.remove(userId);
      t.is(await subject.read(url), null);
      t.is(await subject.count(), 1);
      await t.notThrowsAsync(subject.storage.remove(userId), 'removing twice');
    }
    await t.notThrowsAsync(subject.storage.remove(randomUUID()), 'a user who never had one');
    t.deepEqual((await subject.read(kept))?.bytes, png(4, 4));
  });
}
