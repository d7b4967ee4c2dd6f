import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Real photos made with sharp, for the tests of contact photos: nothing is a fixture file that could drift. */

/** A JPEG as cameras write them: EXIF with a GPS position, an ICC profile, XMP, and a comment segment. */
export async function jpegWithMetadata(width: number, height: number): Promise<Buffer> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Make: 'PhoneMaker', Model: 'Phone 9', Copyright: 'Ann Example' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
    })
    .withIccProfile('p3')
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Ann Example</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>',
    )
    .toBuffer();
  // A COM segment right after SOI: "taken at 12 Rue Example".
  const text = Buffer.from('taken at 12 Rue Example');
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, (text.length + 2) >> 8, (text.length + 2) & 0xff]), text]);
  return Buffer.concat([bytes.subarray(0, 2), com, bytes.subarray(2)]);
}

/** A solid image in a format, with or without an alpha channel. */
export function solid(width: number, height: number, format: 'png' | 'webp' | 'gif' | 'jpeg', alpha: boolean): Promise<Buffer> {
  const background = alpha ? { r: 20, g: 120, b: 220, alpha: 0.5 } : { r: 20, g: 120, b: 220 };
  return sharp({ create: { width, height, channels: alpha ? 4 : 3, background } })
    .toFormat(format)
    .toBuffer();
}

const frames = () =>
  Promise.all(
    [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ].map(([r, g, b]) =>
      sharp({ create: { width: 40, height: 30, channels: 3, background: { r: r!, g: g!, b: b! } } })
        .png()
        .toBuffer(),
    ),
  );

/** A 40×30 three-frame animation: red, then green, then blue. */
export async function animatedGif(): Promise<Buffer> {
  return sharp(await frames(), { join: { animated: true } })
    .gif({ delay: [100, 100, 100], loop: 0 })
    .toBuffer();
}

export async function animatedWebp(): Promise<Buffer> {
  return sharp(await frames(), { join: { animated: true } })
    .webp({ delay: [100, 100, 100], loop: 0 })
    .toBuffer();
}

let noisy: Promise<Buffer> | undefined;
/** A JPEG of random pixels, over 4 MB (a large phone photo's size), made once per test file. */
export function noisyJpeg(): Promise<Buffer> {
  noisy ??= sharp(randomBytes(2800 * 1900 * 3), { raw: { width: 2800, height: 1900, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return noisy;
}

/**
 * A valid PNG of any size that is small on disk (a decompression bomb): 1-bit greyscale, all
 * black, whose rows deflate to almost nothing. 20000×20000 is about 50 KB.
 */
export function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // 1-bit greyscale
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0 and black pixels, every row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
