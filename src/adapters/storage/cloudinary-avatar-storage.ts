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

/**
 * Avatars on Cloudinary through the official SDK. Each user has one public id, uploaded with
 * overwrite and CDN invalidation, so a retry replaces instead of leaving orphans; Cloudinary crops
 * the image to a square on the way in, and the versioned `secure_url` changes with every upload.
 * The account is passed with every call, so instances (and tests) never share the SDK's global config.
 */
export class CloudinaryAvatarStorage implements AvatarStorage {
  private readonly account: CloudinaryAccount;
  private readonly secrets: string[];

  constructor(private readonly options: CloudinaryAvatarStorageOptions) {
    this.account = parseCloudinaryUrl(options.url);
    this.secrets = [options.url, this.account.api_secret, encodeURIComponent(this.account.api_secret), this.account.api_key].filter(
      (s) => s.length >= 4,
    );
  }

  async save(userId: string, image: AvatarImage): Promise<string> {
    // The SDK picks http or https once, from the environment at load time; an agent of our own per
    // upload follows the configured upload_prefix instead, and lets a stuck upload be cut off.
    const overHttp = (this.account.upload_prefix ?? '').startsWith('http:');
    const agent = this.account.api_proxy ? undefined : overHttp ? new http.Agent() : new https.Agent();
    const uploadOptions: UploadApiOptions = {
      ...this.account,
      resource_type: 'image',
      public_id: `avatars/${userId}`,
      overwrite: true,
      invalidate: true,
      unique_filename: false,
      transformation: [AVATAR_TRANSFORMATION],
      timeout: this.options.timeoutMs,
      disable_promises: true,
      ...(agent ? { agent } : {}),
    };

    const started = Date.now();
    try {
      const result = await new Promise<UploadApiResponse>((resolve, reject) => {
        const deadline = setTimeout(() => {
          reject(Object.assign(new Error('Request Timeout'), { http_code: 499, name: 'TimeoutError' }));
          agent?.destroy();
        }, this.options.timeoutMs);
        const upload = cloudinary.uploader.upload_stream(uploadOptions, (error, response) => {
          clearTimeout(deadline);
          if (error || !response) reject(error ?? new Error('empty answer'));
          else resolve(response);
        });
        upload.on('error', (error: Error) => {
          clearTimeout(deadline);
          reject(error);
        });
        upload.end(Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength));
      });
      if (typeof result.secure_url !== 'string' || !/^https?:\/\//.test(result.secure_url)) {
        throw Object.assign(new Error('answer without a secure_url'), { http_code: 200 });
      }
      return result.secure_url;
    } catch (error) {
      throw this.failure(error, userId, Date.now() - started);
    } finally {
      agent?.destroy();
    }
  }

  async remove(userId: string): Promise<void> {
    const overHttp = (this.account.upload_prefix ?? '').startsWith('http:');
    const agent = this.account.api_proxy ? undefined : overHttp ? new http.Agent() : new https.Agent();
    const started = Date.now();
    try {
      const result = await new Promise<{ result?: string }>((resolve, reject) => {
        const deadline = setTimeout(() => {
          reject(Object.assign(new Error('Request Timeout'), { http_code: 499, name: 'TimeoutError' }));
          agent?.destroy();
        }, this.options.timeoutMs);
        const options = { ...this.account, resource_type: 'image', type: 'upload', invalidate: true, timeout: this.options.timeoutMs, disable_promises: true, ...(agent ? { agent } : {}) };
        void cloudinary.uploader.destroy(`avatars/${userId}`, options as { resource_type: "image"; type: "upload"; invalidate: boolean }, (error: unknown, response: { result?: string } | undefined) => {
          clearTimeout(deadline);
          if (error || !response) reject(error ?? new Error('empty answer'));
          else resolve(response);
        });
      });
      // "not found": the user never uploaded one, or it is gone already.
      if (result.result !== 'ok' && result.result !== 'not found') throw Object.assign(new Error(`destroy answered ${result.result}`), { http_code: 200 });
    } catch (error) {
      throw this.failure(error, userId, Date.now() - started, 'removal');
    } finally {
      agent?.destroy();
    }
  }

  /** Turns what the SDK reports into a domain error, logging the detail with credentials removed. */
  private failure(error: unknown, userId: string, elapsedMs: number, what: 'upload' | 'removal' = 'upload'): Error {
    const { http_code: httpCode, code, name, message } = (error ?? {}) as { http_code?: number; code?: string; name?: string; message?: string };
    const timedOut = httpCode === 499 || name === 'TimeoutError';
    const unreachable = (code !== undefined && UNREACHABLE.has(code)) || (httpCode !== undefined && BUSY_STATUSES.has(httpCode));
    this.options.logger.warn(
      { userId, httpCode, code, elapsedMs, detail: this.redact(String(message ?? error)) },
      `avatar ${what} ${what === 'upload' ? 'to' : 'on'} Cloudinary ${timedOut ? 'timed out' : 'failed'}`,
    );
    if (timedOut) return new AvatarStorageTimeout();
    if (unreachable) return new ServiceUnavailable('avatar storage');
    return new AvatarStorageFailed();
  }

  private redact(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}
