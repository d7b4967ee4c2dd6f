import http from 'node:http';
import https from 'node:https';
import { v2 as cloudinary, type UploadApiOptions, type UploadApiResponse } from 'cloudinary';
import type { AvatarStorage } from '../../application/ports/avatar-storage.js';
import type { Logger } from '../../application/ports/logger.js';
import type { AvatarImage } from '../../domain/avatar.js';
import { AvatarStorageFailed, AvatarStorageTimeout } from '../../domain/avatar.errors.js';
import { ServiceUnavailable } from '../../domain/errors.js';

export interface CloudinaryAvatarStorageOptions {
  /** `cloudinary://api_key:api_secret@cloud_name`, query parameters (such as `upload_prefix`) included. */
  url: string;
  /** Bound on the whole upload, answer included. */
  timeoutMs: number;
  logger: Logger;
}

/** The square the avatar is cropped to on Cloudinary's side, around a face when there is one. */
export const AVATAR_TRANSFORMATION = { width: 256, height: 256, crop: 'fill', gravity: 'face' } as const;

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);
const BUSY_STATUSES = new Set([420, 429, 503]);

interface CloudinaryAccount {
  cloud_name: string;
  api_key: string;
  api_secret: string;
  /** The other query parameters of the URL, passed on as the SDK would take them from its config. */
  [option: string]: string;
}

/** Reads the account as the SDK reads CLOUDINARY_URL, without touching the SDK's process-wide config. */
export function parseCloudinaryUrl(url: string): CloudinaryAccount {
  const parsed = new URL(url);
  if (parsed.protocol !== 'cloudinary:' || !parsed.hostname || !parsed.username || !parsed.password) {
    throw new Error('CLOUDINARY_URL must look like cloudinary://api_key:api_secret@cloud_name');
  }
  const account: CloudinaryAccount = {
    cloud_name: parsed.hostname,
    api_key: decodeURIComponent(parsed.username),
    api_secret: decodeURIComponent(parsed.password),
  };
  for (const [key, value] of parsed.searchParams) if (!(key in account)) account[key] = value;
  return account;
}

const publicIdOf = (userId: string) => `avatars/${userId}`;

/**
 * Avatars on Cloudinary through the official SDK. Each user has one public id, uploaded with
 * overwrite and CDN invalidation, so a retry replaces instead of leaving orphans, and a PNG replaces
 * a GIF (a public id has no format: the old URL would serve the new image, converted); Cloudinary crops
 * the image to a square on the way in, and the versioned `secure_url` changes with every upload.
 * The account is passed with every call, so instances (and tests) never share the SDK's global config.
 */
export class CloudinaryAvatarStorage implements AvatarStorage {
  private readonly account: CloudinaryAccount;
  private readonly secrets: string[];

  constructor(private readonly options: CloudinaryAvatarStorageOptions) {
    this.account = parseCloudinaryUrl(options.url);
    this.secrets = [options.url, this.account.api_secret, encodeURIComponent(this.account.api_secret), this.account.api_key].filter((s) => s.length >= 4);
  }

  async save(userId: string, image: AvatarImage): Promise<string> {
    const result = await this.call<UploadApiResponse>('upload', userId, (account, done) => {
      const upload = cloudinary.uploader.upload_stream(
        {
          ...account,
          public_id: publicIdOf(userId),
          overwrite: true,
          invalidate: true,
          unique_filename: false,
          transformation: [AVATAR_TRANSFORMATION],
        },
        done,
      );
      upload.on('error', done);
      upload.end(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength));
    });
    if (typeof result.secure_url !== 'string' || !/^https?:\/\//.test(result.secure_url)) {
      throw this.failure('upload', Object.assign(new Error('answer without a secure_url'), { http_code: 200 }), userId, 0);
    }
    return result.secure_url;
  }

  /** Destroys the user's one asset (any format: Cloudinary keys it by public id alone) and its CDN copies. */
  async remove(userId: string): Promise<void> {
    const result = await this.call<{ result?: unknown }>('removal', userId, (account, done) => {
      const options: UploadApiOptions & { type: 'upload' } = { ...account, type: 'upload', invalidate: true };
      void cloudinary.uploader.destroy(publicIdOf(userId), options, done);
    });
    // Cloudinary answers 200 with { result: 'not found' } for an id it does not hold: already gone.
    if (result.result !== 'ok' && result.result !== 'not found') {
      throw this.failure('removal', Object.assign(new Error(`unexpected answer: ${String(result.result)}`), { http_code: 200 }), userId, 0);
    }
  }

  /**
   * One call to Cloudinary's upload API with the account's options, bounded by the timeout whether
   * or not the SDK's own fires, and its failure turned into a domain error. The SDK picks http or
   * https once, from the environment at load time; an agent of our own per call follows the
   * configured upload_prefix instead, and lets a stuck call be cut off.
   */
  private async call<T>(
    action: 'upload' | 'removal',
    userId: string,
    send: (account: UploadApiOptions, done: (error?: unknown, response?: T) => void) => void,
  ): Promise<T> {
    const overHttp = (this.account.upload_prefix ?? '').startsWith('http:');
    const agent = this.account.api_proxy ? undefined : overHttp ? new http.Agent() : new https.Agent();
    const account: UploadApiOptions = {
      ...this.account,
      resource_type: 'image',
      timeout: this.options.timeoutMs,
      disable_promises: true,
      ...(agent ? { agent } : {}),
    };
    const started = Date.now();
    try {
      return await new Promise<T>((resolve, reject) => {
        const deadline = setTimeout(() => {
          reject(Object.assign(new Error('Request Timeout'), { http_code: 499, name: 'TimeoutError' }));
          agent?.destroy();
        }, this.options.timeoutMs);
        send(account, (error, response) => {
          clearTimeout(deadline);
          if (error || !response) reject(error ?? new Error('empty answer'));
          else resolve(response);
        });
      });
    } catch (error) {
      throw this.failure(action, error, userId, Date.now() - started);
    } finally {
      agent?.destroy();
    }
  }

  /** Turns what the SDK reports into a domain error, logging the detail with credentials removed. */
  private failure(action: 'upload' | 'removal', error: unknown, userId: string, elapsedMs: number): Error {
    const { http_code: httpCode, code, name, message } = (error ?? {}) as { http_code?: number; code?: string; name?: string; message?: string };
    const timedOut = httpCode === 499 || name === 'TimeoutError';
    const unreachable = (code !== undefined && UNREACHABLE.has(code)) || (httpCode !== undefined && BUSY_STATUSES.has(httpCode));
    this.options.logger.warn(
      { userId, httpCode, code, elapsedMs, detail: this.redact(String(message ?? error)) },
      timedOut ? `avatar ${action} at Cloudinary timed out` : `avatar ${action} at Cloudinary failed`,
    );
    if (timedOut) return new AvatarStorageTimeout();
    if (unreachable) return new ServiceUnavailable('avatar storage');
    return new AvatarStorageFailed();
  }

  private redact(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}
