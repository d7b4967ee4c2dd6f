import type { CloudinaryStandIn } from './cloudinary-stand-in.js';

/** A fetch for delivery URLs that serves the stand-in's assets, as Cloudinary's CDN would (404 for anything else). */
export function standInDelivery(standIn: CloudinaryStandIn): typeof fetch {
  return async (input) => {
    const asset = standIn.assetAt(String(input));
    if (!asset) return new Response('Resource not found', { status: 404 });
    return new Response(asset.bytes, { headers: { 'content-type': `image/${asset.format === 'jpg' ? 'jpeg' : asset.format}` } });
  };
}
