import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CarriedImage } from '../../application/ports/contact-card-format.js';
import type { ContactPhotoStorage } from '../../application/ports/contact-photo-storage.js';
import type { ProcessedImage } from '../../application/ports/image-processor.js';
import type { Logger } from '../../application/ports/logger.js';
import type { StoredPhoto } from '../../domain/contact.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import { detectImage } from '../../domain/image.js';
import { writeFileAtomically } from './atomic-file.js';

/** `cp-` and 160 random bits: the only names ever written, read or removed, so no path can leave the directory. */
const PHOTO_NAME = /^cp-[0-9a-f]{40}\.(jpg|png)$/;

export interface LocalDiskContactPhotoStorageOptions {
  /** Directory the files live in (created on first write); nothing else should write there. */
  dir: string;
  /** Base of the URLs handed out; files are served from `${publicUrl}/media/<file>`. */
  publicUrl: string;
  logger: Logger;
}

/**
 * Contact photos on disk, one file per photo under a random name (`cp-<160 bits in hex>.jpg`),
 * which is also its key; the app serves them at `/media/<name>`. A name is never reused, so a
 * URL never serves another image than the one it was made for, and may be cached for long.
 */
export class LocalDiskContactPhotoStorage implements ContactPhotoStorage {
  constructor(private readonly options: LocalDiskContactPhotoStorageOptions) {}

  async save(ownerId: string, image: ProcessedImage): Promise<StoredPhoto> {
    const name = `cp-${randomBytes(20).toString('hex')}.${image.extension}`;
    try {
      await writeFileAtomically(this.options.dir, name, image.bytes);
    } catch (error) {
      this.options.logger.error({ err: String(error), ownerId }, 'contact photo could not be written to disk');
      throw new ServiceUnavailable('contact photo storage');
    }
    return { url: `${this.options.publicUrl}/media/${name}`, key: name };
  }

  async remove(photo: StoredPhoto): Promise<void> {
    if (!PHOTO_NAME.test(photo.key)) return;
    try {
      await rm(path.join(this.options.dir, photo.key), { force: true });
    } catch (error) {
      this.options.logger.error({ err: String(error), key: photo.key }, 'contact photo could not be removed from disk');
      throw new ServiceUnavailable('contact photo storage');
    }
  }

  async read(photo: StoredPhoto): Promise<CarriedImage | null> {
    const file = await this.open(photo.key);
    return file && { bytes: file.bytes, mediaType: file.mediaType };
  }

  /** The photo a served name points to and its media type judged by its bytes; null for any other name or a missing file. */
  async open(name: string): Promise<{ bytes: Buffer; mediaType: string } | null> {
    if (!PHOTO_NAME.test(name)) return null;
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(this.options.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.options.logger.error({ err: String(error), key: name }, 'contact photo could not be read from disk');
      throw new ServiceUnavailable('contact photo storage');
    }
    const image = detectImage(bytes);
    return image ? { bytes, mediaType: image.mediaType } : null;
  }
}
