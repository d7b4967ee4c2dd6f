import { AvatarStorageFailed, AvatarStorageTimeout, UnsupportedImage } from '../../domain/avatar.errors.js';
import { ContactPhotoStorageFailed, ContactPhotoStorageTimeout, UnsupportedPhoto } from '../../domain/contact-photo.errors.js';
import { ContactChanged, ContactEmailTaken, NotACsvFile, NotAVCardFile, TooManyCards, UnknownCsvLayout } from '../../domain/contact.errors.js';
import { DomainError, NotFound, RateLimited, ServiceUnavailable, ValidationFailed } from '../../domain/errors.js';
import { InvalidSyncToken, SyncTokenExpired } from '../../domain/sync.js';
import {
  EmailNotVerified,
  EmailTaken,
  InvalidCredentials,
  InvalidRefreshToken,
  InvalidToken,
  Unauthenticated,
  WrongPassword,
} from '../../domain/user.errors.js';
import { HttpProblem, type Problem } from './problem.js';

type ErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * The one place where the product's errors become HTTP statuses: the API's error handler, the
 * account pages and the OpenAPI document all read it.
 */
export const STATUS_BY_ERROR = [
  [ValidationFailed, 422],
  [NotAVCardFile, 422],
  [NotACsvFile, 422],
  [UnknownCsvLayout, 422],
  [InvalidToken, 400],
  [InvalidSyncToken, 400],
  [InvalidCredentials, 401],
  [InvalidRefreshToken, 401],
  [Unauthenticated, 401],
  [EmailNotVerified, 403],
  [WrongPassword, 403],
  [NotFound, 404],
  [EmailTaken, 409],
  [ContactEmailTaken, 409],
  [SyncTokenExpired, 410],
  [ContactChanged, 412],
  [TooManyCards, 413],
  [UnsupportedImage, 415],
  [UnsupportedPhoto, 415],
  [RateLimited, 429],
  [AvatarStorageFailed, 502],
  [ContactPhotoStorageFailed, 502],
  [ServiceUnavailable, 503],
  [AvatarStorageTimeout, 504],
  [ContactPhotoStorageTimeout, 504],
] as const satisfies ReadonlyArray<readonly [ErrorClass, number]>;

/**
 * Client errors raised by Koa, the router and the body parsers carry a status; their messages are
 * never shown, these are.
 */
export const GENERIC_HTTP = {
  400: { code: 'MALFORMED_BODY', detail: 'The request body could not be parsed.' },
  404: { code: 'NOT_FOUND', detail: 'There is nothing at this address.' },
  405: { code: 'METHOD_NOT_ALLOWED', detail: 'This method is not allowed here.' },
  413: { code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is too large.' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'The request body has an unsupported content type.' },
  501: { code: 'NOT_IMPLEMENTED', detail: 'This method is not implemented.' },
} as const satisfies Record<number, { code: string; detail: string }>;

/** Every status a domain error can become. */
export type DomainErrorStatus = (typeof STATUS_BY_ERROR)[number][1];

/** The status of a domain error, undefined when the table has none for it (then it is a bug: 500). */
export function statusOf(error: DomainError): DomainErrorStatus | undefined {
  return STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1];
}

/**
 * What a failure is answered with: HttpProblem as it is, a domain error by the table (with
 * Retry-After where it says when to come back), a client error Koa or a parser raised by its
 * status. Null for anything else, which is a bug and a 500.
 */
export function problemFor(error: unknown): Problem | null {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DomainError) {
    const status = statusOf(error);
    if (status === undefined) return null;
    return {
      status,
      code: error.code,
      detail: error.message,
      ...(error instanceof ValidationFailed ? { errors: error.errors } : {}),
      // A 429 says when to come back, and no cache may keep it.
      ...(error instanceof RateLimited ? { headers: { 'Retry-After': String(error.retryAfterSeconds), 'Cache-Control': 'no-store' } } : {}),
      ...(error instanceof ServiceUnavailable && error.retryAfterSeconds !== undefined ? { headers: { 'Retry-After': String(error.retryAfterSeconds) } } : {}),
    };
  }
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && status in GENERIC_HTTP) {
    return { status, ...GENERIC_HTTP[status as keyof typeof GENERIC_HTTP] };
  }
  return null;
}
