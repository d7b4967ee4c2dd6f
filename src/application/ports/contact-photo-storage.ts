import type { StoredPhoto } from '../../domain/contact.js';
import type { CarriedImage } from './contact-card-format.js';
import type { ProcessedImage } from './image-processor.js';

/**
 * Where contacts' photos live and the public URL each is served from. Each save is a new object
 * under a name of its own with at least 128 random bits, so a URL cannot be guessed and never
 * serves another image; replacing a photo is saving the new one and removing the old.
 */
export interface ContactPhotoStorage {
  /**
   * Stores the image and answers its absolute URL and the key to remove or read it by. Rejects
   * with ContactPhotoStorageFailed (the store answered with an error), ContactPhotoStorageTimeout
   * or ServiceUnavailable, having stored nothing.
   */
  save(ownerId: string, image: ProcessedImage): Promise<StoredPhoto>;
  /** Deletes the photo so that its URL serves nothing; resolves as well when it is already gone. Rejects like `save`. */
  remove(photo: StoredPhoto): Promise<void>;
  /** The stored bytes and their type (for vCard export and CardDAV); null when the photo is gone. Rejects like `save`. */
  read(photo: StoredPhoto): Promise<CarriedImage | null>;
}
