import test from 'ava';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { SharpImageProcessor } from '../../../src/adapters/image/sharp-image-processor.js';
import { UnsupportedPhoto } from '../../../src/domain/contact-photo.errors.js';
import { ServiceUnavailable, ValidationFailed } from '../../../src/domain/errors.js';
import { gif as tinyGif, jpeg as tinyJpeg, png as headerPng, webp as tinyWebp } from '../../helpers/images.js';
import { animatedGif, animatedWebp, jpegWithMetadata, noisyJpeg, pngBomb, solid } from '../../helpers/photos.js';

const fit = { maxSide: 512 };
const processor = new SharpImageProcessor();

test('a 2000×1000 JPEG with EXIF, GPS, an ICC profile and XMP comes out 512×256, as JPEG, with none of them', async (t) => {
  const source = await jpegWithMetadata(2000, 1000);
  const before = await sharp(source).metadata();
  t.truthy(before.exif, 'the source carries EXIF');
  t.truthy(before.icc, 'the source carries an ICC profile');
  t.truthy(before.xmp, 'the source carries XMP');
  t.regex(before.exif!.toString('latin1'), /GPS|N\0/, 'the source EXIF has the GPS block');

  const out = await processor.fit(source, fit);
  t.like(out, { mediaType: 'image/jpeg', extension: 'jpg', width: 512, height: 256 });
  const after = await sharp(out.bytes).metadata();
  t.like(after, { format: 'jpeg', width: 512, height: 256 });
  t.is(after.exif, undefined);
  t.is(after.icc, undefined);
  t.is(after.xmp, undefined);
  t.is(after.iptc, undefined);
  t.is(after.comments, undefined);
  t.false(Buffer.from(out.bytes).includes('GPS'), 'no GPS tag anywhere in the file');
  t.false(Buffer.from(out.bytes).includes('Exif'), 'no EXIF segment anywhere in the file');
});

test('the aspect is kept and a small image is never enlarged', async (t) => {
  for (const [w, h, expected] of [
    [1000, 2000, [256, 512]],
    [600, 600, [512, 512]],
    [300, 100, [300, 100]],
    [1, 1, [1, 1]],
  ] as const) {
    const out = await processor.fit(await solid(w, h, 'png', false), fit);
    t.deepEqual([out.width, out.height], [...expected], `${w}×${h}`);
    const meta = await sharp(out.bytes).metadata();
    t.deepEqual([meta.width, meta.height], [...expected]);
  }
});

test('EXIF orientation is applied before the metadata goes: a portrait photo stays a portrait', async (t) => {
  // Stored 800×400 with orientation 6 (rotate 90° clockwise to view): seen as 400×800.
  const rotated = await sharp({ create: { width: 800, height: 400, channels: 3, background: '#336699' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const out = await processor.fit(rotated, fit);
  t.deepEqual([out.width, out.height], [256, 512]);
  t.is((await sharp(out.bytes).metadata()).orientation, undefined);
});

test('PNG, GIF and WebP are accepted; an image with transparency stays PNG with its alpha, an opaque one becomes JPEG', async (t) => {
  const cases = [
    [await solid(700, 350, 'png', true), 'image/png', 512, 256],
    [await solid(700, 350, 'png', false), 'image/jpeg', 512, 256],
    [await solid(700, 350, 'webp', true), 'image/png', 512, 256],
    [await solid(700, 350, 'webp', false), 'image/jpeg', 512, 256],
    [await solid(100, 60, 'gif', false), 'image/png', 100, 60], // libvips reads every GIF with an alpha channel
    [tinyJpeg(16, 8), 'image/jpeg', 16, 8],
    [headerPng(12, 12), 'image/jpeg', 12, 12],
    // The hand-made 1×1 files of the avatar tests: PNG when the decoder sees an alpha channel.
    [tinyGif(), null, 1, 1],
    [tinyWebp.lossless(), null, 1, 1],
    [tinyWebp.lossy(), null, 1, 1],
    [tinyWebp.extended(), null, 1, 1],
  ] as const;
  for (const [bytes, declared, width, height] of cases) {
    const mediaType = declared ?? ((await sharp(bytes).metadata()).hasAlpha ? 'image/png' : 'image/jpeg');
    const out = await processor.fit(bytes, fit);
    t.like(out, { mediaType, width, height });
    const meta = await sharp(out.bytes).metadata();
    t.is(`image/${meta.format}`, mediaType);
    if (mediaType === 'image/png') t.true(meta.hasAlpha, 'the alpha channel is kept');
  }
});

test('an animated GIF or WebP keeps its first frame only', async (t) => {
  for (const source of [await animatedGif(), await animatedWebp()]) {
    t.is((await sharp(source, { pages: -1 }).metadata()).pages, 3);
    const out = await processor.fit(source, fit);
    t.like(out, { width: 40, height: 30 });
    const meta = await sharp(out.bytes, { pages: -1 }).metadata();
    t.is(meta.pages ?? 1, 1);
    const { data } = await sharp(out.bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    t.true(data[0]! > 200 && data[1]! < 60 && data[2]! < 60, `the first (red) frame, not ${[...data.subarray(0, 3)]}`);
  }
});

test('anything but PNG, JPEG, WebP and GIF is UnsupportedPhoto, whatever it claims to be', async (t) => {
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
  const tiff = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
    .tiff()
    .toBuffer();
  const avif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
    .avif()
    .toBuffer();
  for (const bytes of [Buffer.from('just some text in a file named photo.jpg\n'), svg, tiff, avif, Buffer.from('%PDF-1.4\n')]) {
    await t.throwsAsync(processor.fit(bytes, fit), { instanceOf: UnsupportedPhoto });
  }
});

test.serial('a header declaring 20000×20000 is refused from the header, at once, naming the dimensions', async (t) => {
  for (const bomb of [headerPng(20_000, 20_000, { pixels: false }), tinyGif({ width: 65_535, height: 65_535 }), tinyWebp.declaring(16_000, 16_000)]) {
    const started = performance.now();
    const error = await t.throwsAsync(processor.fit(bomb, fit), { instanceOf: ValidationFailed });
    t.true(performance.now() - started < 200, `refused without decoding (${(performance.now() - started).toFixed(0)} ms)`);
    t.is(error?.errors[0]?.field, 'photo');
    t.regex(error?.errors[0]?.message ?? '', /megapixels/);
  }
});

test.serial('a real, valid 50 KB PNG of 20000×20000 (a decompression bomb) is refused before it is decoded', async (t) => {
  const bomb = pngBomb(20_000, 20_000);
  t.true(bomb.length < 100_000, `${bomb.length} bytes`);
  t.like(await sharp(bomb, { limitInputPixels: false }).metadata(), { width: 20_000, height: 20_000 }, 'libvips reads it as that');
  const started = performance.now();
  const error = await t.throwsAsync(processor.fit(bomb, fit), { instanceOf: ValidationFailed });
  t.true(performance.now() - started < 200, `refused without decoding (${(performance.now() - started).toFixed(0)} ms)`);
  t.regex(error?.errors[0]?.message ?? '', /20000×20000/);
});

test('a damaged or cut-short image is a ValidationFailed naming the photo, not a crash', async (t) => {
  const whole = await jpegWithMetadata(600, 400);
  for (const bytes of [headerPng(300, 300, { pixels: false }), tinyJpeg(64, 64, { scan: false }), whole.subarray(0, Math.floor(whole.length / 2))]) {
    const error = await t.throwsAsync(processor.fit(bytes, fit), { instanceOf: ValidationFailed });
    t.is(error?.errors[0]?.field, 'photo');
  }
});

test('a 5 MB JPEG is processed off the event loop: timers keep firing meanwhile', async (t) => {
  const big = await noisyJpeg();
  t.true(big.length > 4_000_000, `${big.length} bytes`);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const out = await processor.fit(big, fit);
  delay.disable();
  t.like(out, { width: 512, mediaType: 'image/jpeg' });
  const worstMs = delay.max / 1e6;
  t.true(worstMs < 150, `the event loop stalled for ${worstMs.toFixed(1)} ms`);
});

test('past the waiting bound, ServiceUnavailable at once instead of an unbounded queue', async (t) => {
  const small = new SharpImageProcessor({ concurrency: 1, maxWaiting: 2 });
  const big = await noisyJpeg();
  const accepted = [small.fit(big, fit), small.fit(big, fit), small.fit(big, fit)];
  await t.throwsAsync(small.fit(big, fit), { instanceOf: ServiceUnavailable });
  await Promise.all(accepted);
  await t.notThrowsAsync(small.fit(big, fit), 'room again once the queue drained');
});

test('the output differs from the input even for a small clean JPEG (always re-encoded), and the same input gives the same bytes', async (t) => {
  const source = tinyJpeg(16, 16);
  const [a, b] = [await processor.fit(source, fit), await processor.fit(source, fit)];
  t.deepEqual(Buffer.from(a.bytes), Buffer.from(b.bytes));
  t.notDeepEqual(Buffer.from(a.bytes), source);
});
