import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { detectImage } from '../../src/domain/image.js';

export interface StandInAsset {
  publicId: string;
  version: number;
  format: string;
  bytes: Buffer;
  /** Every signed field of the upload that stored it. */
  params: Record<string, string>;
}

/**
 * - `ok`: answers like Cloudinary;
 * - `error`: 500 with Cloudinary's JSON error body;
 * - `unavailable`: 503 with an HTML page, as a load balancer in front of it would;
 * - `slow`: accepts the upload and answers only after `slowMs`;
 * - `no-url`: 200 with a JSON body lacking secure_url.
 */
export type StandInMode = 'ok' | 'error' | 'unavailable' | 'slow' | 'no-url';

/**
 * A local HTTP stand-in for Cloudinary's upload API (POST /v1_1/<cloud>/image/upload and
 * /image/destroy), for the real SDK pointed at it with `upload_prefix`. It checks what Cloudinary
 * checks on a signed call — the API key, a fresh timestamp and a signature over the other fields
 * made with the secret — stores the file under its public id, whatever its format (replacing it only
 * with `overwrite`), and answers with the JSON shape Cloudinary uses, `secure_url` included; a
 * destroy deletes the asset and answers `{ result: 'ok' }`, or `{ result: 'not found' }`.
 */
export class CloudinaryStandIn {
  mode: StandInMode = 'ok';
  slowMs = 30_000;
  readonly assets = new Map<string, StandInAsset>();
  /** Upload and destroy requests received, accepted or not. */
  requests = 0;
  /** Every accepted destroy: the public id and the signed fields (`invalidate` among them). */
  readonly destroyed: { publicId: string; found: boolean; params: Record<string, string> }[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(
    readonly apiKey = '123456789012345',
    readonly apiSecret = 'stand-in-secret-Xy9_q',
    readonly cloudName = 'demo',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) this.json(res, 500, { error: { message: 'stand-in failure' } });
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get uploadPrefix(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A CLOUDINARY_URL for this stand-in, or for other credentials on it. */
  url(credentials: { key?: string; secret?: string } = {}): string {
    return `cloudinary://${credentials.key ?? this.apiKey}:${credentials.secret ?? this.apiSecret}@${this.cloudName}?upload_prefix=${this.uploadPrefix}`;
  }

  /** The stored asset a delivery URL this stand-in handed out points to. */
  assetAt(url: string): StandInAsset | undefined {
    const match = new RegExp(`^https://res\\.cloudinary\\.com/${this.cloudName}/image/upload/v(\\d+)/(.+)\\.(\\w+)$`).exec(url);
    const asset = match ? this.assets.get(match[2]!) : undefined;
    return asset && String(asset.version) === match![1] ? asset : undefined;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const action = req.method === 'POST' ? /^\/v1_1\/([^/]+)\/image\/(upload|destroy)$/.exec(req.url ?? '') : null;
    if (!action || action[1] !== this.cloudName) {
      this.json(res, 404, { error: { message: 'Resource not found' } });
      return;
    }
    this.requests += 1;
    const body = await readBody(req);
    if (this.mode === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
      return;
    }
    if (this.mode === 'error') {
      this.json(res, 500, { error: { message: 'General Error' } });
      return;
    }
    if (this.mode === 'slow') {
      const timer = setTimeout(() => this.json(res, 200, {}), this.slowMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }

    const form = await new Request('http://stand-in/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
    const file = form.get('file');
    const params: Record<string, string> = {};
    for (const [key, value] of form) if (typeof value === 'string') params[key] = value;

    if (params.api_key !== this.apiKey) return this.json(res, 401, { error: { message: `Invalid api_key ${params.api_key ?? ''}` } });
    const { signature, api_key: _key, ...signed } = params;
    const timestamp = Number(signed.timestamp);
    if (!signature || !Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 3600) {
      return this.json(res, 401, { error: { message: 'Missing or stale signature or timestamp' } });
    }
    if (signature !== this.sign(signed)) {
      return this.json(res, 401, { error: { message: `Invalid Signature ${signature}. String to sign - '${toSign(signed)}'.` } });
    }
    if (action[2] === 'destroy') return this.destroy(res, signed);
    if (!(file instanceof Blob)) return this.json(res, 400, { error: { message: 'Missing required parameter - file' } });
    const bytes = Buffer.from(await file.arrayBuffer());
    const image = detectImage(bytes);
    if (!image) return this.json(res, 400, { error: { message: 'Invalid image file' } });

    const publicId = signed.public_id || createHash('sha1').update(bytes).digest('hex').slice(0, 20);
    const existing = this.assets.get(publicId);
    if (existing && signed.overwrite !== 'true' && signed.overwrite !== '1') return this.json(res, 200, { ...this.describe(existing), existing: true });
    const asset: StandInAsset = {
      publicId,
      version: Math.max(Math.floor(Date.now() / 1000), (existing?.version ?? 0) + 1),
      format: image.type === 'jpeg' ? 'jpg' : image.type,
      bytes,
      params: signed,
    };
    this.assets.set(publicId, asset);
    if (this.mode === 'no-url') {
      const { secure_url: _url, ...rest } = this.describe(asset);
      return this.json(res, 200, rest);
    }
    this.json(res, 200, this.describe(asset));
  }

  private destroy(res: ServerResponse, signed: Record<string, string>): void {
    if (!signed.public_id) {
      this.json(res, 400, { error: { message: 'Missing required parameter - public_id' } });
      return;
    }
    const found = this.assets.delete(signed.public_id);
    this.destroyed.push({ publicId: signed.public_id, found, params: signed });
    this.json(res, 200, { result: found ? 'ok' : 'not found' });
  }

  private sign(params: Record<string, string>): string {
    return createHash('sha1')
      .update(toSign(params) + this.apiSecret)
      .digest('hex');
  }

  private describe(asset: StandInAsset) {
    const path = `${this.cloudName}/image/upload/v${asset.version}/${asset.publicId}.${asset.format}`;
    return {
      asset_id: createHash('md5').update(asset.publicId).digest('hex'),
      public_id: asset.publicId,
      version: asset.version,
      version_id: createHash('md5').update(`${asset.publicId}${asset.version}`).digest('hex'),
      signature: createHash('sha1').update(asset.bytes).digest('hex'),
      width: 256,
      height: 256,
      format: asset.format,
      resource_type: 'image',
      created_at: new Date(asset.version * 1000).toISOString(),
      tags: [],
      bytes: asset.bytes.length,
      type: 'upload',
      etag: createHash('md5').update(asset.bytes).digest('hex'),
      placeholder: false,
      url: `http://res.cloudinary.com/${path}`,
      secure_url: `https://res.cloudinary.com/${path}`,
    };
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }
}

/** Cloudinary's string to sign: fields sorted by name, `name=value` joined by `&`, a `&` inside escaped. */
function toSign(params: Record<string, string>): string {
  return Object.entries(params)
    .filter(([, value]) => value !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`.replace(/&/g, '%26'))
    .join('&');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
