import { DomainError } from './errors.js';

export class EmailTaken extends DomainError {
  readonly code = 'EMAIL_TAKEN';
  constructor() {
    super('An account with this email already exists.');
  }
}

export class InvalidCredentials extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('The email or password is incorrect.');
  }
}

export class EmailNotVerified extends DomainError {
  readonly code = 'EMAIL_NOT_VERIFIED';
  constructor() {
    super('Confirm your email address before logging in.');
  }
}

/** A one-time token (email verification, password reset) that is unknown, used or expired. */
export class InvalidToken extends DomainError {
  readonly code = 'INVALID_TOKEN';
  constructor() {
    super('This link is invalid or has expired.');
  }
}

/** No valid access token: missing, malformed, expired, revoked or of the wrong type. */
export class Unauthenticated extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor() {
    super('A valid access token is required.');
  }
}

export class InvalidRefreshToken extends DomainError {
  readonly code = 'INVALID_REFRESH_TOKEN';
  constructor() {
    super('The refresh token is invalid, expired or already used.');
  }
}

/** A route that asks for the caller's current password got a wrong one. */
export class WrongPassword extends DomainError {
  readonly code = 'WRONG_PASSWORD';
  constructor() {
    super('The password is incorrect.');
  }
}
