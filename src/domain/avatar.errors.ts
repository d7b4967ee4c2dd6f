import { DomainError } from './errors.js';

/** The uploaded bytes are not a PNG, JPEG, WebP or GIF image, whatever the file was called. */
export class UnsupportedImage extends DomainError {
  readonly code = 'UNSUPPORTED_IMAGE';
  constructor() {
    super('The avatar must be a PNG, JPEG, WebP or GIF image.');
  }
}

/** The image store answered with an error. The user's current avatar is unchanged. */
export class AvatarStorageFailed extends DomainError {
  readonly code = 'AVATAR_STORAGE_FAILED';
  constructor() {
    super('The image store could not save the avatar; your current avatar is unchanged. Try again later.');
  }
}

/** The image store did not answer in time. The user's current avatar is unchanged. */
export class AvatarStorageTimeout extends DomainError {
  readonly code = 'AVATAR_STORAGE_TIMEOUT';
  constructor() {
    super('The image store did not answer in time; your current avatar is unchanged. Try again later.');
  }
}
