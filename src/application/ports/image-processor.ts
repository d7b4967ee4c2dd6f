/** An image as this service stores it: re-encoded, with no metadata. */
export interface ProcessedImage {
  bytes: Uint8Array;
  mediaType: 'image/jpeg' | 'image/png';
  extension: 'jpg' | 'png';
  width: number;
  height: number;
}

export interface FitOptions {
  /** The stored image fits in a square of this side, its aspect kept; a smaller one is never enlarged. */
  maxSide: number;
}

/** Decodes uploaded images and writes them out again in a form safe to store and serve. */
export interface ImageProcessor {
  /**
   * The first frame of a PNG, JPEG, WebP or GIF image, turned upright (EXIF orientation), fitted
   * in `maxSide`, re-encoded (JPEG, or PNG when it has transparency) with none of its metadata:
   * no EXIF, GPS, XMP, ICC profile or comment. The dimensions are checked from the header before
   * anything is decoded. Throws UnsupportedPhoto (not one of those formats by its content),
   * ValidationFailed (past the pixel budget, or damaged), ServiceUnavailable (too many images
   * waiting to be processed). The work runs off the event loop.
   */
  fit(bytes: Uint8Array, options: FitOptions): Promise<ProcessedImage>;
}
