import { createHash } from 'node:crypto';
import { toVersionedContact, type StoredPhoto, type VersionedContact } from '../../domain/contact.js';
import { checkPhotoHeader, PHOTO_STORED_MAX_SIDE } from '../../domain/contact-photo.js';
import { UnsupportedPhoto } from '../../domain/contact-photo.errors.js';
import { ContactChanged } from '../../domain/contact.errors.js';
import { DomainError, NotFound, ValidationFailed } from '../../domain/errors.js';
import type { CarriedImage } from '../ports/contact-card-format.js';
import type { ContactPhotoStorage } from '../ports/contact-photo-storage.js';
import type { ImageProcessor, ProcessedImage } from '../ports/image-processor.js';
import type { Logger } from '../ports/logger.js';
import type { Repositories } from '../ports/unit-of-work.js';

/** What storing a photo needs: the processor that fits and strips it, and the store that keeps it. */
export interface ContactPhotoDeps {
  images: ImageProcessor;
  photos: ContactPhotoStorage;
  logger: Logger;
}

export interface SetContactPhotoDeps extends ContactPhotoDeps {
  repos: Pick<Repositories, 'contacts'>;
}

export interface SetContactPhotoInput {
  /** The uploaded bytes; their name and declared type are never used. */
  image: Uint8Array | undefined;
  /** From If-Match: the write happens only while the contact is at one of these versions. */
  expectedVersions?: readonly number[];
}

/**
 * Gives one of the caller's contacts a photo: judged by its bytes, fitted within PHOTO_STORED_MAX_SIDE and stripped
 * of its metadata, stored, and only then set on the contact, so that a failure never leaves the
 * contact pointing at nothing. A photo stored for a write that then fails is removed again; the
 * photo it replaces leaves the store once the contact no longer points at it.
 */
export function makeSetContactPhoto(deps: SetContactPhotoDeps) {
  return async function setContactPhoto(ownerId: string, id: string, input: SetContactPhotoInput): Promise<VersionedContact> {
    const current = await deps.repos.contacts.findById(ownerId, id);
    if (!current) throw new NotFound('contact');
    // Refused before the image costs anything; the write checks it again.
    if (input.expectedVersions && !input.expectedVersions.includes(current.version)) throw new ContactChanged();
    checkPhotoHeader(input.image);
    const fitted = await deps.images.fit(input.image!, { maxSide: PHOTO_STORED_MAX_SIDE });
    const stored = await deps.photos.save(ownerId, fitted);
    let result: Awaited<ReturnType<typeof deps.repos.contacts.setPhoto>>;
    try {
      result = await deps.repos.contacts.setPhoto(ownerId, id, stored, input.expectedVersions);
    } catch (error) {
      await discardContactPhotos(deps, [stored]);
      throw error;
    }
    if (!result) {
      await discardContactPhotos(deps, [stored]);
      throw new NotFound('contact');
    }
    if (result.previous) await discardContactPhotos(deps, [result.previous]);
    return toVersionedContact(result.contact);
  };
}

/** A photo carried by an imported card: stored, or why the card is imported without it. */
export type PhotoOutcome = { photo: StoredPhoto } | { skipped: string };

/**
 * Fits and stores the photo a card carried (a vCard PHOTO, decoded). A photo that is not an image
 * we take, too large or damaged is skipped with the reason, and so is one the store cannot keep
 * now: a bad photo never costs its card. Only a bug throws.
 */
export function storeContactPhoto(deps: ContactPhotoDeps, ownerId: string, image: CarriedImage): Promise<PhotoOutcome> {
  return storeFitted(deps, ownerId, () => deps.images.fit(image.bytes, { maxSide: PHOTO_STORED_MAX_SIDE }), image.bytes);
}

const STORE_DOWN = 'the photo could not be stored now';

async function storeFitted(deps: ContactPhotoDeps, ownerId: string, fitted: () => Promise<ProcessedImage>, bytes: Uint8Array): Promise<PhotoOutcome> {
  try {
    checkPhotoHeader(bytes);
    return { photo: await deps.photos.save(ownerId, await fitted()) };
  } catch (error) {
    if (error instanceof UnsupportedPhoto) return { skipped: 'the photo is not a PNG, JPEG, WebP or GIF image' };
    if (error instanceof ValidationFailed) return { skipped: `the photo ${error.errors[0]?.message ?? 'is not usable'}` };
    if (error instanceof DomainError) {
      deps.logger.warn({ ownerId, err: { code: error.code, message: error.message } }, 'an imported photo could not be stored');
      return { skipped: STORE_DOWN };
    }
    throw error;
  }
}

/**
 * Photos of one import in flight at once: enough to overlap the store's round trips (a disk's
 * fsyncs, Cloudinary's uploads); the decoding itself is bounded by the image processor's own queue.
 */
export const PHOTO_STORE_CONCURRENCY = 8;
/** Fitted images kept by content within one import: the same logo on every card of a company is decoded once. */
const FITTED_KEPT = 16;

/**
 * storeContactPhoto for the cards of one import, a few at a time (PHOTO_STORE_CONCURRENCY), answers in the same order (null
 * where a card has no photo). An image seen a moment before in the file is fitted once and stored
 * again (each contact owns its copy, so removing one never takes another's). Once the store fails
 * (down, timing out), the photos not yet tried are skipped instead of each waiting for it in turn.
 */
export async function storeContactPhotos(
  deps: ContactPhotoDeps,
  ownerId: string,
  images: readonly (CarriedImage | null | undefined)[],
  concurrency = PHOTO_STORE_CONCURRENCY,
): Promise<(PhotoOutcome | null)[]> {
  const outcomes: (PhotoOutcome | null)[] = images.map(() => null);
  const fitted = new Map<string, Promise<ProcessedImage>>();
  const fitOnce = (bytes: Uint8Array) => {
    const digest = createHash('sha256').update(bytes).digest('hex');
    let fitting = fitted.get(digest);
    if (!fitting) {
      fitting = deps.images.fit(bytes, { maxSide: PHOTO_STORED_MAX_SIDE });
      fitting.catch(() => {});
      fitted.set(digest, fitting);
      if (fitted.size > FITTED_KEPT) fitted.delete(fitted.keys().next().value!);
    }
    return fitting;
  };
  let storeDown = false;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < images.length; i = next++) {
      const image = images[i];
      if (!image) continue;
      if (storeDown) {
        outcomes[i] = { skipped: STORE_DOWN };
        continue;
      }
      const outcome = await storeFitted(deps, ownerId, () => fitOnce(image.bytes), image.bytes);
      if ('skipped' in outcome && outcome.skipped === STORE_DOWN) storeDown = true;
      outcomes[i] = outcome;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return outcomes;
}

/**
 * Removes photos no contact points at any more (replaced, removed, or stored for a card that was
 * then skipped), a few at a time. A store that fails is logged: the contact is already right, and
 * the file is only an orphan.
 */
export async function discardContactPhotos(deps: Pick<ContactPhotoDeps, 'photos' | 'logger'>, photos: readonly StoredPhoto[], concurrency = 4): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < photos.length; i = next++) {
      const photo = photos[i]!;
      try {
        await deps.photos.remove(photo);
      } catch (error) {
        deps.logger.warn({ key: photo.key, err: { message: (error as Error).message } }, 'a contact photo no contact uses could not be removed from storage');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, photos.length)) }, worker));
}
