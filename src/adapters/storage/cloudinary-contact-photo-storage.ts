import { randomBytes } from 'node:crypto';
import type { CarriedImage } from '../../application/ports/contact-card-format.js';
import type { ContactPhotoStorage } from '../../application/ports/contact-photo-storage.js';
import type { ProcessedImage } from '../../application/ports/image-processor.js';
import type { Logger } from '../../application/ports/logger.js';
import type { StoredPhoto } from '../../domain/contact.js';
import { ContactPhotoStorageFailed, ContactPhotoStorageTimeout } from '../../domain/contact-photo.errors.js';
import { ServiceUnavailable } from '../../domain/errors.js';
import { detectImage } from '../../domain/image.js';
import { CloudinaryUploadApi } from './cloudinary-upload-api.js';

/** The public ids this adapter makes: the only ones it ever destroys. */
const PUBLIC_ID = /^contact-photos\/[0-9a-f]{40}$/;
/** A stored photo is at most 512×512; anything much larger at its URL is not ours. */
const READ_MAX_BYTES = 4 * 1024 * 1024;

export interface CloudinaryContactPhotoStorageOptions {
  /** `cloudinary://api_key:api_secret@cloud_name`, query parameters (such as `upload_prefix`) included. */
  url: string;
  /** Bound on each call (an upload, a removal, a read of the delivery URL). */
  timeoutMs: number;
  logger: Logger;
  /** How delivery URLs are fetched (tests point it at the stand-in). */
  fetch?: typeof fetch;
}

/**
 * Contact photos on Cloudinary: each one a new asset `contact-photos/<160 random bits>` (the key),
 * uploaded as it is (it was already fitted and stripped here) and never overwritten; removal
 * destroys the asset and its CDN copies. `read` fetches the delivery URL: the bytes live on
 * Cloudinary alone, so that every instance reads the same photo and the database does not carry
 * images; an export of many photos pays one CDN fetch per photo.
 */
export class CloudinaryContactPhotoStorage implements ContactPhotoStorage {
  private readonly api: CloudinaryUploadApi;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: CloudinaryContactPhotoStorageOptions) {
    this.api = new CloudinaryUploadApi({
      ...options,
      subject: 'contact photo',
      errors: { failed: () => new ContactPhotoStorageFailed(), timedOut: () => new ContactPhotoStorageTimeout() },
    });
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async save(ownerId: string, image: ProcessedImage): Promise<StoredPhoto> {
    const key = `contact-photos/${randomBytes(20).toString('hex')}`;
    const url = await this.api.upload(image.bytes, { public_id: key, overwrite: false, unique_filename: false }, { ownerId });
    return { url, key };
  }

  async remove(photo: StoredPhoto): Promise<void> {
    if (!PUBLIC_ID.test(photo.key)) return;
    await this.api.destroy(photo.key, { key: photo.key });
  }

  async read(photo: StoredPhoto): Promise<CarriedImage | null> {
    let response: Response;
    try {
      response = await this.fetch(photo.url, { signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'follow' });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      this.options.logger.warn(
        { key: photo.key, detail: this.api.redact(String(error)) },
        `contact photo read from Cloudinary ${timedOut ? 'timed out' : 'failed'}`,
      );
      throw timedOut ? new ContactPhotoStorageTimeout() : new ServiceUnavailable('contact photo storage');
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      this.options.logger.warn({ key: photo.key, status: response.status }, 'contact photo read from Cloudinary failed');
      throw response.status >= 500 || response.status === 429 ? new ServiceUnavailable('contact photo storage') : new ContactPhotoStorageFailed();
    }
    const bytes = await readAtMost(response, READ_MAX_BYTES).catch((error: unknown) => {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw timedOut ? new ContactPhotoStorageTimeout() : new ContactPhotoStorageFailed();
    });
    const image = bytes && detectImage(bytes);
    if (!image) {
      this.options.logger.warn({ key: photo.key }, 'contact photo at Cloudinary is not an image we store');
      return null;
    }
    return { bytes, mediaType: image.mediaType };
  }
}

/** The body, or null past `max` bytes (the rest is not read). */
async function readAtMost(response: Response, max: number): Promise<Uint8Array | null> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > max || !response.body) {
    await response.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > max) {
      // Leaving the loop cancels the stream.
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
