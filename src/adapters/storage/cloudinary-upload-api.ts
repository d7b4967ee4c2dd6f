import http from 'node:http';
import https from 'node:https';
import { v2 as cloudinary, type UploadApiOptions, type UploadApiResponse } from 'cloudinary';
import type { Logger } from '../../application/ports/logger.js';
import { ServiceUnavailable } from '../../domain/errors.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);
const BUSY_STATUSES = new Set([420, 429, 503]);

export interface CloudinaryAccount {
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

export interface CloudinaryUploadApiOptions {
  /** `cloudinary://api_key:api_secret@cloud_name`, query parameters (such as `upload_prefix`) included. */
  url: string;
  /** Bound on each call, answer included. */
  timeoutMs: number;
  logger: Logger;
  /** What the stored things are, for the log (`avatar`, `contact photo`). */
  subject: string;
  /** The domain errors a refused and a timed-out call become (an unreachable or busy API is ServiceUnavailable). */
  errors: { failed: () => Error; timedOut: () => Error };
}

type Action = 'upload' | 'removal';

/**
 * Cloudinary's upload API (upload and destroy) through the official SDK, as the storage adapters
 * use it. The account is passed with every call, so instances (and tests) never share the SDK's
 * global config; every call is bounded by the timeout whether or not the SDK's own fires, and its
 * failure is logged with credentials removed and turned into a domain error.
 */
export class CloudinaryUploadApi {
  readonly account: CloudinaryAccount;
  private readonly secrets: string[];

  constructor(private readonly options: CloudinaryUploadApiOptions) {
    this.account = parseCloudinaryUrl(options.url);
    this.secrets = [options.url, this.account.api_secret, encodeURIComponent(this.account.api_secret), this.account.api_key].filter((s) => s.length >= 4);
  }

  /** Uploads the bytes with these options and answers the `secure_url` Cloudinary gives them. */
  async upload(bytes: Uint8Array, uploadOptions: UploadApiOptions, logFields: object): Promise<string> {
    const result = await this.call<UploadApiResponse>('upload', logFields, (account, done) => {
      const upload = cloudinary.uploader.upload_stream({ ...account, ...uploadOptions }, done);
      upload.on('error', done);
      upload.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    if (typeof result.secure_url !== 'string' || !/^https?:\/\//.test(result.secure_url)) {
      throw this.failure('upload', Object.assign(new Error('answer without a secure_url'), { http_code: 200 }), logFields, 0);
    }
    return result.secure_url;
  }

  /** Destroys one asset (any format: Cloudinary keys it by public id alone) and its CDN copies; an absent one is fine. */
  async destroy(publicId: string, logFields: object): Promise<void> {
    const result = await this.call<{ result?: unknown }>('removal', logFields, (account, done) => {
      const options: UploadApiOptions & { type: 'upload' } = { ...account, type: 'upload', invalidate: true };
      void cloudinary.uploader.destroy(publicId, options, done);
    });
    // Cloudinary answers 200 with { result: 'not found' } for an id it does not hold: already gone.
    if (result.result !== 'ok' && result.result !== 'not found') {
      throw this.failure('removal', Object.assign(new Error(`unexpected answer: ${String(result.result)}`), { http_code: 200 }), logFields, 0);
    }
  }

  /**
   * One call with the account's options. The SDK picks http or https once, from the environment at
   * load time; an agent of our own per call follows the configured upload_prefix instead, and lets
   * a stuck call be cut off.
   */
  private async call<T>(
    action: Action,
    logFields: object,
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
      throw this.failure(action, error, logFields, Date.now() - started);
    } finally {
      agent?.destroy();
    }
  }

  /** Turns what the SDK reports into a domain error, logging the detail with credentials removed. */
  private failure(action: Action, error: unknown, logFields: object, elapsedMs: number): Error {
    const { http_code: httpCode, code, name, message } = (error ?? {}) as { http_code?: number; code?: string; name?: string; message?: string };
    const timedOut = httpCode === 499 || name === 'TimeoutError';
    const unreachable = (code !== undefined && UNREACHABLE.has(code)) || (httpCode !== undefined && BUSY_STATUSES.has(httpCode));
    const subject = this.options.subject;
    this.options.logger.warn(
      { ...logFields, httpCode, code, elapsedMs, detail: this.redact(String(message ?? error)) },
      timedOut ? `${subject} ${action} at Cloudinary timed out` : `${subject} ${action} at Cloudinary failed`,
    );
    if (timedOut) return this.options.errors.timedOut();
    if (unreachable) return new ServiceUnavailable(`${subject} storage`);
    return this.options.errors.failed();
  }

  /** The text with every credential of the account replaced. */
  redact(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}
