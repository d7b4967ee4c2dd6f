/** The image formats we accept, recognised by their leading bytes, never by a name or a declared type. */
export type ImageType = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageInfo {
  type: ImageType;
  mediaType: `image/${ImageType}`;
  extension: 'png' | 'jpg' | 'webp' | 'gif';
  /** Pixel dimensions as the header declares them, before anything decodes the image. */
  width: number;
  height: number;
}

const EXTENSIONS: Record<ImageType, ImageInfo['extension']> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif' };

/**
 * Recognises a PNG, JPEG, WebP or GIF image by its magic bytes and reads its dimensions from the
 * header. Null for anything else (SVG, HTML, PDF, text, another format) and for a header that is
 * cut short or malformed.
 */
export function detectImage(bytes: Uint8Array): ImageInfo | null {
  const found = detectPng(bytes) ?? detectGif(bytes) ?? detectWebp(bytes) ?? detectJpeg(bytes);
  if (!found) return null;
  return { ...found, mediaType: `image/${found.type}`, extension: EXTENSIONS[found.type] };
}

type Found = { type: ImageType; width: number; height: number } | null;

function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>, at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const be16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const be32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const le24 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const le32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// Signature, then the IHDR chunk, which must come first: length, "IHDR", width, height (big-endian).
function detectPng(b: Uint8Array): Found {
  if (!startsWith(b, PNG_SIGNATURE) || !startsWith(b, ascii('IHDR'), 12) || b.length < 24) return null;
  return { type: 'png', width: be32(b, 16), height: be32(b, 20) };
}

// "GIF87a" or "GIF89a", then the logical screen's width and height (little-endian).
function detectGif(b: Uint8Array): Found {
  if (!(startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a'))) || b.length < 10) return null;
  return { type: 'gif', width: le16(b, 6), height: le16(b, 8) };
}

// A RIFF container of type WEBP whose first chunk is lossy (VP8), lossless (VP8L) or extended (VP8X).
function detectWebp(b: Uint8Array): Found {
  if (!startsWith(b, ascii('RIFF')) || !startsWith(b, ascii('WEBP'), 8)) return null;
  if (startsWith(b, ascii('VP8 '), 12)) {
    if (b.length < 30 || !startsWith(b, [0x9d, 0x01, 0x2a], 23)) return null;
    return { type: 'webp', width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  }
  if (startsWith(b, ascii('VP8L'), 12)) {
    if (b.length < 25 || b[20] !== 0x2f) return null;
    const bits = le32(b, 21);
    return { type: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (startsWith(b, ascii('VP8X'), 12)) {
    if (b.length < 30) return null;
    return { type: 'webp', width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  }
  return null;
}

// SOI, then segments until a start-of-frame marker, which holds height and width (big-endian).
function detectJpeg(b: Uint8Array): Found {
  if (!startsWith(b, [0xff, 0xd8, 0xff])) return null;
  let at = 2;
  while (at < b.length) {
    if (b[at] !== 0xff) return null;
    while (at < b.length && b[at] === 0xff) at++; // fill bytes
    if (at >= b.length) return null;
    const marker = b[at]!;
    at++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // stand-alone markers
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame
    if (at + 2 > b.length) return null;
    const length = be16(b, at);
    if (length < 2) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 7 || at + 7 > b.length) return null;
      return { type: 'jpeg', height: be16(b, at + 3), width: be16(b, at + 5) };
    }
    at += length;
  }
  return null;
}
