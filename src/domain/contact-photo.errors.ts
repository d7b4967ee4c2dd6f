import { DomainError } from './errors.js';

/** The photo's bytes are not a PNG, JPEG, WebP or GIF image, whatever the file was called or declared. */
export class UnsupportedPhoto extends DomainError {
  readonly code = 'UNSUPPORTED_IMAGE';
  constructor() {
    super('The photo must be a PNG, JPEG, WebP or GIF image.');
  }
}

/** The image store answered with an error. The contact keeps the photo it had. */
export class ContactPhotoStorageFailed extends DomainError {
  readonly code = 'PHOTO_STORAGE_FAILED';
  constructor() {
    super('The image store could not save or remove the photo; the contact keeps the photo it had. Try again later.');
  }
}

/** The image store did not answer in time. The contact keeps the photo it had. */
export class ContactPhotoStorageTimeout extends DomainError {
  readonly code = 'PHOTO_STORAGE_TIMEOUT';
  constructor() {
    super('The image store did not answer in time; the contact keeps the photo it had. Try again later.');
  }
}
