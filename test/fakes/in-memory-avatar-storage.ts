import { createHash } from 'node:crypto';
import type { AvatarStorage } from '../../src/application/ports/avatar-storage.js';
import type { AvatarImage } from '../../src/domain/avatar.js';

export interface StoredAvatar {
  bytes: Buffer;
  mediaType: string;
}

interface Stored extends StoredAvatar {
  extension: string;
}

/**
 * Keeps one image per user, as the real stores do, under https://avatars.test/. While `failure` is
 * set, every save and remove rejects with it (a store that is down, refusing or too slow) and changes
 * nothing.
 */
export class InMemoryAvatarStorage implements AvatarStorage {
  readonly images = new Map<string, Stored>();
  failure: Error | undefined;
  saves = 0;

  async save(userId: string, image: AvatarImage): Promise<string> {
    this.saves += 1;
    await Promise.resolve();
    if (this.failure) throw this.failure;
    this.images.set(userId, { bytes: Buffer.from(image.bytes), mediaType: image.mediaType, extension: image.extension });
    const version = createHash('sha256').update(image.bytes).digest('hex').slice(0, 16);
    return `https://avatars.test/${userId}.${image.extension}?v=${version}`;
  }

  async remove(userId: string): Promise<void> {
    await Promise.resolve();
    if (this.failure) throw this.failure;
    this.images.delete(userId);
  }

  /** What a GET of that URL would serve: the user's image, while its type is the URL's. */
  async read(url: string): Promise<StoredAvatar | null> {
    const match = /^https:\/\/avatars\.test\/([^./]+)\.(\w+)\?v=/.exec(url);
    const stored = match ? this.images.get(match[1]!) : undefined;
    return stored && stored.extension === match![2] ? { bytes: Buffer.from(stored.bytes), mediaType: stored.mediaType } : null;
  }
}
