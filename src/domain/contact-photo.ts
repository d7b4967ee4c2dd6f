import { UnsupportedPhoto } from './contact-photo.errors.js';
import { ValidationFailed } from './errors.js';
import { detectImage, type ImageInfo } from './image.js';

/** A stored photo fits in this square (aspect kept, never enlarged). */
export const PHOTO_STORED_MAX_SIDE = 512;
/**
 * What a photo may declare before anything decodes it: a small file can declare a huge canvas,
 * whose decoding would take memory out of all proportion to its size. The pixel bound covers the
 * cameras of phones; the side bound keeps out absurd strips.
 */
export const PHOTO_MAX_PIXELS = 50_000_000;
export const PHOTO_MAX_SIDE = 16_384;

/** The field a photo is sent in, and that its 422s name. */
export const PHOTO_FIELD = 'photo';

/**
 * Judges a photo's bytes by their header alone, before any decoding: absent or empty →
 * ValidationFailed; not a PNG, JPEG, WebP or GIF → UnsupportedPhoto; no pixels or past the pixel
 * budget → ValidationFailed naming the dimensions.
 */
export function checkPhotoHeader(bytes: Uint8Array | undefined): ImageInfo {
  if (!bytes || bytes.length === 0) {
    throw new ValidationFailed([{ field: PHOTO_FIELD, message: 'is required: send one image, as the body or in the multipart field "photo"' }]);
  }
  const info = detectImage(bytes);
  if (!info) throw new UnsupportedPhoto();
  checkPhotoDimensions(info.width, info.height);
  return info;
}

/** Refuses dimensions past the budget (as a header or the decoder reads them), before decoding. */
export function checkPhotoDimensions(width: number, height: number): void {
  if (width < 1 || height < 1 || width > PHOTO_MAX_SIDE || height > PHOTO_MAX_SIDE || width * height > PHOTO_MAX_PIXELS) {
    throw photoTooLarge(width, height);
  }
}

export function photoTooLarge(width: number, height: number): ValidationFailed {
  return new ValidationFailed([
    {
      field: PHOTO_FIELD,
      message: `must be 1 to ${PHOTO_MAX_SIDE} pixels a side and at most ${PHOTO_MAX_PIXELS / 1_000_000} megapixels (this one declares ${width}×${height})`,
    },
  ]);
}

/** The image's header is fine but its content cannot be decoded (cut short, corrupt). */
export function unreadablePhoto(): ValidationFailed {
  return new ValidationFailed([{ field: PHOTO_FIELD, message: 'could not be decoded: the image is damaged or cut short' }]);
}
