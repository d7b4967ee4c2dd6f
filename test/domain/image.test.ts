import test from 'ava';
import { AVATAR_MAX_PIXELS, AVATAR_MAX_SIDE, checkAvatarImage } from '../../src/domain/avatar.js';
import { UnsupportedImage } from '../../src/domain/avatar.errors.js';
import { ValidationFailed } from '../../src/domain/errors.js';
import { detectImage } from '../../src/domain/image.js';
import { gif, jpeg, notImages, png, webp } from '../helpers/images.js';

test('a PNG is recognised by its signature, with the size from its IHDR', (t) => {
  t.deepEqual(detectImage(png(3, 2)), { type: 'png', mediaType: 'image/png', extension: 'png', width: 3, height: 2 });
});

test('a JPEG is recognised by its SOI marker, with the size from its start-of-frame segment', (t) => {
  t.deepEqual(detectImage(jpeg(20, 10)), { type: 'jpeg', mediaType: 'image/jpeg', extension: 'jpg', width: 20, height: 10 });
});

test('a progressive JPEG (SOF2) is read too', (t) => {
  const bytes = jpeg(640, 480);
  const sof = bytes.indexOf(Buffer.from([0xff, 0xc0]));
  bytes[sof + 1] = 0xc2;
  t.like(detectImage(bytes), { type: 'jpeg', width: 640, height: 480 });
});

test('a GIF is recognised by GIF87a/GIF89a, with the logical screen size', (t) => {
  t.deepEqual(detectImage(gif()), { type: 'gif', mediaType: 'image/gif', extension: 'gif', width: 1, height: 1 });
  const old = gif();
  old.write('87a', 3, 'ascii');
  t.like(detectImage(old), { type: 'gif' });
});

test('a WebP is recognised in its lossless, lossy and extended forms', (t) => {
  for (const bytes of [webp.lossless(), webp.lossy(), webp.extended()]) {
    t.deepEqual(detectImage(bytes), { type: 'webp', mediaType: 'image/webp', extension: 'webp', width: 1, height: 1 });
  }
  t.like(detectImage(webp.declaring(1200, 800)), { width: 1200, height: 800 });
});

test('SVG, HTML, PDF, text and a cut-short PNG are not images', (t) => {
  for (const [name, make] of Object.entries(notImages)) t.is(detectImage(make()), null, name);
  t.is(detectImage(new Uint8Array()), null);
  t.is(detectImage(Buffer.from('RIFF\0\0\0\0WAVEfmt ')), null, 'a RIFF that is not WebP');
  t.is(detectImage(jpeg(10, 10).subarray(0, 30)), null, 'a JPEG cut before its frame header');
});

test('a JPEG whose scan starts before any frame header is refused', (t) => {
  t.is(detectImage(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 63, 0])), null);
});

test('an avatar is accepted with its bytes and detected type, whatever it was called', (t) => {
  const bytes = png(64, 64);
  const image = checkAvatarImage(bytes);
  t.is(image.type, 'png');
  t.is(image.bytes, bytes);
});

test('a missing or empty avatar is a validation error on the avatar field', (t) => {
  for (const bytes of [undefined, new Uint8Array()]) {
    const error = t.throws(() => checkAvatarImage(bytes), { instanceOf: ValidationFailed });
    t.deepEqual(
      error?.errors.map((e) => e.field),
      ['avatar'],
    );
  }
});

test('anything that is not PNG, JPEG, WebP or GIF is UnsupportedImage', (t) => {
  for (const make of Object.values(notImages)) t.throws(() => checkAvatarImage(make()), { instanceOf: UnsupportedImage });
});

test('absurd declared dimensions are refused from the header alone', (t) => {
  const huge = [
    png(50_000, 50_000, { pixels: false }),
    png(AVATAR_MAX_SIDE + 1, 1, { pixels: false }),
    png(2 ** 32 - 1, 2 ** 32 - 1, { pixels: false }),
    jpeg(50_000, 50_000, { scan: false }),
    gif({ width: 65_535, height: 65_535 }),
    webp.declaring(16_383, 16_383),
    png(10_000, Math.floor(AVATAR_MAX_PIXELS / 10_000) + 1, { pixels: false }),
  ];
  for (const bytes of huge) {
    const error = t.throws(() => checkAvatarImage(bytes), { instanceOf: ValidationFailed });
    t.is(error?.errors[0]?.field, 'avatar');
  }
  t.notThrows(() => checkAvatarImage(png(AVATAR_MAX_SIDE, AVATAR_MAX_PIXELS / AVATAR_MAX_SIDE, { pixels: false })));
});

test('an image declaring zero pixels is refused', (t) => {
  t.throws(() => checkAvatarImage(gif({ width: 0, height: 10 })), { instanceOf: ValidationFailed });
  t.throws(() => checkAvatarImage(jpeg(10, 0, { scan: false })), { instanceOf: ValidationFailed });
});
