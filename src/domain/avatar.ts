import { UnsupportedImage } from './avatar.errors.js';
import { ValidationFailed } from './errors.js';
import { detectImage, type ImageInfo } from './image.js';

/** Larger headers are refused before anything decodes them (a small file can declare a huge canvas). */
export const AVATAR_MAX_SIDE = 10_000;
export const AVATAR_MAX_PIXELS = 40_000_000;

/** An upload judged to be a usable avatar: its bytes and what they are. */
export interface AvatarImage extends ImageInfo {
  bytes: Uint8Array;
}

/**
 * Judges uploaded bytes: absent or empty → ValidationFailed; not a PNG, JPEG, WebP or GIF →
 * UnsupportedImage; no pixels or absurd dimensions → ValidationFailed.
 */
export function checkAvatarImage(bytes: Uint8Array | undefined): AvatarImage {
  if (!bytes || bytes.length === 0) {
    throw new ValidationFailed([{ field: 'avatar', message: 'is required: send one image file in this multipart field' }]);
  }
  const info = detectImage(bytes);
  if (!info) throw new UnsupportedImage();
  const { width, height } = info;
  if (width < 1 || height < 1 || width > AVATAR_MAX_SIDE || height > AVATAR_MAX_SIDE || width * height > AVATAR_MAX_PIXELS) {
    throw new ValidationFailed([
      {
        field: 'avatar',
        message: `must be 1 to ${AVATAR_MAX_SIDE} pixels a side and at most ${AVATAR_MAX_PIXELS / 1_000_000} megapixels (this one is ${width}×${height})`,
      },
    ]);
  }
  return { ...info, bytes };
}
