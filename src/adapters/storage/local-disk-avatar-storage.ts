import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AvatarStorage } from '../../application/ports/avatar-storage.js';
import type { Logger } from '../../application/ports/logger.js';
import type { AvatarImage } from '../../domain/avatar.js';
import { ServiceUnavailable } from '../../domain/errors.js';

const MEDIA_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };
/** The only names ever written, and so the only ones ever read: no path can leave the directory. */
const FILE_NAME = /^([A-Za-z0-9-]{1,64})\.(png|jpg|webp|gif)$/;

export interface LocalDiskAvatarStorageOptions {
  /** Directory the files live in (created on first write). */
  dir: string;
  /** Base of the URLs handed out; files are served from `${publicUrl}/media/<file>`. */
  publicUrl: string;
  logger: Logger;
}

/**
 * Avatars as files `<userId>.<extension of the detected type>` in one directory, each written to a
 * temporary file and renamed into place, so a reader sees the old image or the new one, never half.
 * A user has at most one file per image type. The URL carries a hash of the content (`?v=`), so it
 * changes whenever the image does.
 */
export class LocalDiskAvatarStorage implements AvatarStorage {
  constructor(private readonly options: LocalDiskAvatarStorageOptions) {}

  async save(userId: string, image: AvatarImage): Promise<string> {
    const name = `${userId}.${image.extension}`;
    if (!FILE_NAME.test(name)) throw new Error('a user id must be a plain identifier to name a file');
    const target = path.join(this.options.dir, name);
    const temp = path.join(this.options.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(this.options.dir, { recursive: true });
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(image.bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      this.options.logger.error({ err: String(error), userId }, 'avatar could not be written to disk');
      throw new ServiceUnavailable('avatar storage');
    }
    const version = createHash('sha256').update(image.bytes).digest('hex').slice(0, 16);
    return `${this.options.publicUrl}/media/${name}?v=${version}`;
  }

  async remove(userId: string): Promise<void> {
    const names = Object.keys(MEDIA_TYPES).map((extension) => `${userId}.${extension}`);
    if (!names.every((name) => FILE_NAME.test(name))) return;
    try {
      await Promise.all(names.map((name) => rm(path.join(this.options.dir, name), { force: true })));
    } catch (error) {
      this.options.logger.error({ err: String(error), userId }, 'avatar could not be removed from disk');
      throw new ServiceUnavailable('avatar storage');
    }
  }

  /** The stored file with that name and its media type; null for any other name or a missing file. */
  async open(name: string): Promise<{ bytes: Buffer; mediaType: string } | null> {
    const match = FILE_NAME.exec(name);
    if (!match) return null;
    try {
      const bytes = await readFile(path.join(this.options.dir, name));
      return { bytes, mediaType: MEDIA_TYPES[match[2]!]! };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
      throw error;
    }
  }
}
