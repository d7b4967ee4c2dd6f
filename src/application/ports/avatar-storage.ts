import type { AvatarImage } from '../../domain/avatar.js';

/**
 * Where avatar images live and the public URL each is served from. A user has at most one stored
 * image: whatever the store held for them before, of any type, stops being served once a new one is
 * saved or the avatar is removed.
 */
export interface AvatarStorage {
  /**
   * Stores the image as the user's avatar under a name of its own for that user, so a retry replaces
   * rather than piles up, and returns the absolute URL that serves it. The previous image is replaced
   * whatever its type: its URL no longer serves it. The URL changes whenever the content does, so
   * browsers fetch the new image. Rejects with AvatarStorageFailed (the store answered with an
   * error), AvatarStorageTimeout or ServiceUnavailable; the URL a user has until then keeps working.
   */
  save(userId: string, image: AvatarImage): Promise<string>;

  /**
   * Deletes the user's stored avatar, whatever its type, so no URL handed out for it serves it any
   * more. Resolves as well when there is none (removing twice is fine). Rejects like `save`.
   */
  remove(userId: string): Promise<void>;
}
