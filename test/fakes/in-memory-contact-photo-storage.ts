import { randomBytes } from 'node:crypto';
import type { CarriedImage } from '../../src/application/ports/contact-card-format.js';
import type { ContactPhotoStorage } from '../../src/application/ports/contact-photo-storage.js';
import type { ProcessedImage } from '../../src/application/ports/image-processor.js';
import type { StoredPhoto } from '../../src/domain/contact.js';

/**
 * Keeps each photo under a new random key, as the real stores do, served from
 * https://photos.test/<key>. While `failure` is set, every call rejects with it and changes nothing;
 * `failRemovals` fails only removals.
 */
export class InMemoryContactPhotoStorage implements ContactPhotoStorage {
  readonly photos = new Map<string, { ownerId: string; bytes: Buffer; mediaType: string }>();
  failure: Error | undefined;
  failRemovals: Error | undefined;
  saves = 0;
  removals = 0;

  async save(ownerId: string, image: ProcessedImage): Promise<StoredPhoto> {
    this.saves += 1;
    await Promise.resolve();
    if (this.failure) throw this.failure;
    const key = `cp-${randomBytes(20).toString('hex')}.${image.extension}`;
    this.photos.set(key, { ownerId, bytes: Buffer.from(image.bytes), mediaType: image.mediaType });
    return { url: `https://photos.test/${key}`, key };
  }

  async remove(photo: StoredPhoto): Promise<void> {
    this.removals += 1;
    await Promise.resolve();
    if (this.failure ?? this.failRemovals) throw this.failure ?? this.failRemovals;
    this.photos.delete(photo.key);
  }

  async read(photo: StoredPhoto): Promise<CarriedImage | null> {
    await Promise.resolve();
    if (this.failure) throw this.failure;
    const stored = this.photos.get(photo.key);
    return stored ? { bytes: Buffer.from(stored.bytes), mediaType: stored.mediaType } : null;
  }

  /** What a GET of that URL would serve. */
  served(url: string): { bytes: Buffer; mediaType: string } | null {
    const match = /^https:\/\/photos\.test\/([^/?]+)$/.exec(url);
    const stored = match ? this.photos.get(match[1]!) : undefined;
    return stored ? { bytes: stored.bytes, mediaType: stored.mediaType } : null;
  }
}
