import type { AvatarStorage } from '../../application/ports/avatar-storage.js';
import type { Logger } from '../../application/ports/logger.js';
import type { AvatarImage } from '../../domain/avatar.js';
import { AvatarStorageFailed, AvatarStorageTimeout } from '../../domain/avatar.errors.js';
import { CloudinaryUploadApi } from './cloudinary-upload-api.js';

export interface CloudinaryAvatarStorageOptions {
  /** `cloudinary://api_key:api_secret@cloud_name`, query parameters (such as `upload_prefix`) included. */
  url: string;
  /** Bound on the whole upload, answer included. */
  timeoutMs: number;
  logger: Logger;
}

/** The square the avatar is cropped to on Cloudinary's side, around a face when there is one. */
export const AVATAR_TRANSFORMATION = { width: 256, height: 256, crop: 'fill', gravity: 'face' } as const;

const publicIdOf = (userId: string) => `avatars/${userId}`;

/**
 * Avatars on Cloudinary through the official SDK. Each user has one public id, uploaded with
 * overwrite and CDN invalidation, so a retry replaces instead of leaving orphans, and a PNG replaces
 * a GIF (a public id has no format: the old URL would serve the new image, converted); Cloudinary crops
 * the image to a square on the way in, and the versioned `secure_url` changes with every upload.
 */
export class CloudinaryAvatarStorage implements AvatarStorage {
  private readonly api: CloudinaryUploadApi;

  constructor(options: CloudinaryAvatarStorageOptions) {
    this.api = new CloudinaryUploadApi({
      ...options,
      subject: 'avatar',
      errors: { failed: () => new AvatarStorageFailed(), timedOut: () => new AvatarStorageTimeout() },
    });
  }

  save(userId: string, image: AvatarImage): Promise<string> {
    const options = { public_id: publicIdOf(userId), overwrite: true, invalidate: true, unique_filename: false, transformation: [AVATAR_TRANSFORMATION] };
    return this.api.upload(image.bytes, options, { userId });
  }

  /** Destroys the user's one asset (any format: Cloudinary keys it by public id alone) and its CDN copies. */
  remove(userId: string): Promise<void> {
    return this.api.destroy(publicIdOf(userId), { userId });
  }
}
