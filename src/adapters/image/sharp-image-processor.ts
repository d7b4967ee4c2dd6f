import PQueue from 'p-queue';
import sharp from 'sharp';
import type { FitOptions, ImageProcessor, ProcessedImage } from '../../application/ports/image-processor.js';
import { checkPhotoDimensions, checkPhotoHeader, PHOTO_MAX_PIXELS, photoTooLarge, unreadablePhoto } from '../../domain/contact-photo.js';
import { UnsupportedPhoto } from '../../domain/contact-photo.errors.js';
import { DomainError, ServiceUnavailable } from '../../domain/errors.js';
import type { ImageType } from '../../domain/image.js';

export interface SharpImageProcessorOptions {
  /** Images decoded at once; libvips spreads each over its own threads, so a few keep the cores busy. */
  concurrency: number;
  /** Images waiting their turn; past it, ServiceUnavailable. */
  maxWaiting: number;
  /** The longest one image may take to decode and encode. */
  timeoutSeconds: number;
}

const DEFAULTS: SharpImageProcessorOptions = { concurrency: 2, maxWaiting: 64, timeoutSeconds: 10 };

/** libvips's loader names for the formats we take; any other (SVG, TIFF, HEIF, PDF…) is refused. */
const LOADERS: Record<ImageType, string> = { png: 'png', jpeg: 'jpeg', webp: 'webp', gif: 'gif' };

/**
 * Images through sharp (libvips). Work runs on libuv's thread pool, never on the event loop, and
 * through a queue of bounded length so that a burst of uploads cannot occupy every pool thread
 * (file and DNS work share them). Before any decoding the dimensions are checked twice: from our
 * own reading of the header (checkPhotoHeader), and from libvips's (`metadata()`, which reads the
 * header only), since a decoder may see a canvas the header's first frame does not say; and the
 * decoder itself is given `limitInputPixels`.
 *
 * Output is JPEG, or PNG when the image has an alpha channel: both are what every address book
 * reads in a vCard PHOTO (WebP is not, in older Outlook and iOS), and JPEG keeps photographs small.
 */
export class SharpImageProcessor implements ImageProcessor {
  private readonly queue: PQueue;
  private readonly options: SharpImageProcessorOptions;

  constructor(options: Partial<SharpImageProcessorOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.queue = new PQueue({ concurrency: this.options.concurrency });
    // Uploaded images are never decoded twice: libvips's operation cache would only hold memory.
    sharp.cache(false);
  }

  async fit(bytes: Uint8Array, options: FitOptions): Promise<ProcessedImage> {
    const header = checkPhotoHeader(bytes);
    if (this.queue.size >= this.options.maxWaiting) throw new ServiceUnavailable('image processing', 5);
    return this.queue.add(() => this.process(bytes, header.type, options), { throwOnTimeout: true });
  }

  private async process(bytes: Uint8Array, type: ImageType, { maxSide }: FitOptions): Promise<ProcessedImage> {
    // The first frame of an animation; libvips refuses to decode past the pixel budget.
    const input = { limitInputPixels: PHOTO_MAX_PIXELS, pages: 1, page: 0, failOn: 'truncated' } as const;
    let declared = { width: 0, height: 0 };
    try {
      const meta = await sharp(bytes, input).metadata();
      if (meta.format !== LOADERS[type]) throw new UnsupportedPhoto();
      declared = { width: meta.width ?? 0, height: meta.pageHeight ?? meta.height ?? 0 };
      checkPhotoDimensions(declared.width, declared.height);
      const pipeline = sharp(bytes, { ...input, sequentialRead: true })
        .timeout({ seconds: this.options.timeoutSeconds })
        .rotate() // upright by the EXIF orientation, which goes with the rest of the metadata
        .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true });
      const alpha = meta.hasAlpha === true;
      const encoded = alpha ? pipeline.png({ compressionLevel: 6 }) : pipeline.jpeg({ quality: 85 });
      // sharp writes no metadata (EXIF, XMP, IPTC, ICC, comments) unless asked to keep it.
      const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
      return alpha
        ? { bytes: data, mediaType: 'image/png', extension: 'png', width: info.width, height: info.height }
        : { bytes: data, mediaType: 'image/jpeg', extension: 'jpg', width: info.width, height: info.height };
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const message = String((error as Error).message ?? error);
      if (/pixel limit/i.test(message)) throw photoTooLarge(declared.width, declared.height);
      // Past the timeout the machine is too busy, not the image at fault.
      if (/timeout/i.test(message)) throw new ServiceUnavailable('image processing', 5);
      throw unreadablePhoto();
    }
  }
}
