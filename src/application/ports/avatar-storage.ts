import type { AvatarImage } from '../../domain/avatar.js';

/** Where avatar images live and the public URL each is served from. */
export interface AvatarStorage {
  /**
   * Stores the image as the user's avatar under a name of its own for that user, so a retry replaces
   * rather than piles up, and returns the absolute URL that serves it. The URL changes whenever the
   * content does, so browsers fetch the new image. Rejects with AvatarStorageFailed (the store
   * answered with an error), AvatarStorageTimeout or ServiceUnavailable; the URL a user has until
   * then keeps working.
   */
  save(userId: string, image: AvatarImage): Promise<string>;
  /**
   * Removes whatever the store holds for the user (nothing to remove is not an error), so its URL
   * stops serving it. Rejects like `save` when the store fails.
   */
  remove(userId: string): Promise<void>;
}
