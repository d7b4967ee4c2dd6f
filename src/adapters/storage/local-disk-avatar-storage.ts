import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AvatarStorage } from '../../application/ports/avatar-storage.js';
import type { Logger } from '../../application/ports/logger.js';
import type { AvatarImage } from '../../domain/avatar.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import { detectImage } from '../../domain/image.js';
import { writeFileAtomically } from './atomic-file.js';

/** The names URLs use, and so the only ones ever read: no path can leave the directory. */
const SERVED_NAME = /^([A-Za-z0-9-]{1,64})\.(png|jpg|webp|gif)$/;
const USER_ID = /^[A-Za-z0-9-]{1,64}$/;
/** Earlier releases kept `<userId>.<extension>`, one file per type: read as a fallback, always removed. */
const LEGACY_EXTENSIONS = ['png', 'jpg', 'webp', 'gif'] as const;

export interface LocalDiskAvatarStorageOptions {
  /** Directory the files live in (created on first write). */
  dir: string;
  /** Base of the URLs handed out; files are served from `${publicUrl}/media/<file>`. */
  publicUrl: string;
  logger: Logger;
}

/**
 * Avatars on disk, one file per user, `<userId>.avatar`, whatever the image type: each upload is
 * written to a temporary file and renamed over it, so a reader sees the old image or the new one,
 * never half, and a PNG replacing a GIF leaves no GIF behind (even when two uploads race, since the
 * rename is the only write). URLs are `/media/<userId>.<extension of the detected type>?v=<hash of
 * the content>`: they change whenever the image does, and a name whose extension no longer matches
 * the stored image answers nothing.
 */
export class LocalDiskAvatarStorage implements AvatarStorage {
  constructor(private readonly options: LocalDiskAvatarStorageOptions) {}

  async save(userId: string, image: AvatarImage): Promise<string> {
    const name = path.basename(this.fileOf(userId));
    try {
      await writeFileAtomically(this.options.dir, name, image.bytes);
      await this.removeLegacy(userId);
    } catch (error) {
      this.options.logger.error({ err: String(error), userId }, 'avatar could not be written to disk');
      throw new ServiceUnavailable('avatar storage');
    }
    const version = createHash('sha256').update(image.bytes).digest('hex').slice(0, 16);
    return `${this.options.publicUrl}/media/${userId}.${image.extension}?v=${version}`;
  }

  async remove(userId: string): Promise<void> {
    const target = this.fileOf(userId);
    try {
      await rm(target, { force: true });
      await this.removeLegacy(userId);
    } catch (error) {
      this.options.logger.error({ err: String(error), userId }, 'avatar could not be removed from disk');
      throw new ServiceUnavailable('avatar storage');
    }
  }

  /**
   * The image a served name points to and its media type, judged by the bytes; null for any other
   * name, a missing file, or a name whose extension is not the stored image's type.
   */
  async open(name: string): Promise<{ bytes: Buffer; mediaType: string } | null> {
    const match = SERVED_NAME.exec(name);
    if (!match) return null;
    const [, userId, extension] = match as unknown as [string, string, string];
    const bytes = (await this.read(`${userId}.avatar`)) ?? (await this.read(`${userId}.${extension}`));
    const image = bytes && detectImage(bytes);
    return image && image.extension === extension ? { bytes: bytes!, mediaType: image.mediaType } : null;
  }

  private fileOf(userId: string): string {
    if (!USER_ID.test(userId)) throw new Error('a user id must be a plain identifier to name a file');
    return path.join(this.options.dir, `${userId}.avatar`);
  }

  private async removeLegacy(userId: string): Promise<void> {
    await Promise.all(LEGACY_EXTENSIONS.map((extension) => rm(path.join(this.options.dir, `${userId}.${extension}`), { force: true })));
  }

  private async read(file: string): Promise<Buffer | null> {
    try {
      return await readFile(path.join(this.options.dir, file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
      throw error;
    }
  }
}
