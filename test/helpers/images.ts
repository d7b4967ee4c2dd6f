import { crc32, deflateSync } from 'node:zlib';

/** Small, well-formed image files built byte by byte, so no fixture file can drift from its claims. */

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A solid-colour RGB PNG. With `pixels: false` only the signature and IHDR: a header declaring any size. */
export function png(width: number, height: number, options: { rgb?: [number, number, number]; pixels?: boolean } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit truecolour, deflate, no filter, no interlace
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (options.pixels === false) return Buffer.concat(parts);
  const [r, g, b] = options.rgb ?? [200, 30, 90];
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([...parts, chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * A baseline greyscale JPEG, uniformly grey: every 8×8 block has a zero DC difference and an
 * immediate end-of-block, coded with one-symbol Huffman tables. With `scan: false`, headers only.
 */
export function jpeg(width: number, height: number, options: { scan?: boolean } = {}): Buffer {
  const segment = (marker: number, data: number[]) => Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data]);
  const oneSymbolTable = (tableClass: number) => [tableClass << 4, 1, ...new Array(15).fill(0), 0x00];
  const parts = [
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF
    segment(0xdb, [0x00, ...new Array(64).fill(1)]), // quantisation table 0
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]), // SOF0, one component
    segment(0xc4, oneSymbolTable(0)), // DC table 0: category 0 is "0"
    segment(0xc4, oneSymbolTable(1)), // AC table 0: end-of-block is "0"
  ];
  if (options.scan === false) return Buffer.concat(parts);
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = blocks * 2;
  const data = Buffer.alloc(Math.ceil(bits / 8));
  if (bits % 8 !== 0) data[data.length - 1] = (1 << (8 - (bits % 8))) - 1; // pad with one-bits
  return Buffer.concat([...parts, segment(0xda, [1, 1, 0x00, 0, 63, 0]), data, Buffer.from([0xff, 0xd9])]);
}

/** A 1×1 GIF89a; `declare` rewrites the logical screen size in its header. */
export function gif(declare?: { width: number; height: number }): Buffer {
  const bytes = Buffer.from('47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b', 'hex');
  if (declare) {
    bytes.writeUInt16LE(declare.width, 6);
    bytes.writeUInt16LE(declare.height, 8);
  }
  return bytes;
}

/** 1×1 WebP files in each of the three encodings (lossless VP8L, lossy VP8, extended VP8X with alpha). */
export const webp = {
  lossless: () => Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'),
  lossy: () => Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64'),
  extended: () => Buffer.from('UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==', 'base64'),
  /** An extended (VP8X) header declaring a canvas of any size. */
  declaring(width: number, height: number): Buffer {
    const bytes = Buffer.alloc(30);
    bytes.write('RIFF', 0, 'ascii');
    bytes.writeUInt32LE(22, 4);
    bytes.write('WEBPVP8X', 8, 'ascii');
    bytes.writeUInt32LE(10, 16);
    bytes.writeUIntLE(width - 1, 24, 3);
    bytes.writeUIntLE(height - 1, 27, 3);
    return bytes;
  },
};

/** Things that are not images, some of them dressed up as one. */
export const notImages = {
  svg: () => Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'),
  html: () => Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'),
  pdf: () => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  text: () => Buffer.from('just some words, not a picture'),
  /** A PNG signature with nothing after it. */
  truncatedPng: () => png(1, 1).subarray(0, 12),
};
