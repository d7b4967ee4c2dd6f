import type * as OA from 'openapi3-ts/oas31';
import type { DomainErrorStatus } from './error-statuses.js';
import { DEFAULT_BIRTHDAY_DAYS, DEFAULT_LIMIT, MAX_BIRTHDAY_DAYS, MAX_LIMIT, NAME_MAX, NOTES_MAX, PHONE_MAX, PHONE_MIN } from '../../domain/contact.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from '../../domain/password-policy.js';
import { USERNAME_MAX } from '../../domain/user.js';

// The public contract as an OpenAPI 3.1 document. A test compares its (method, path) pairs with the
// router's, both ways, so a route cannot be added or removed without this file following.

type Schema = OA.SchemaObject | OA.ReferenceObject;

const ref = (name: string): OA.ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ content: { 'application/json': { schema } } });
const html = (description: string): OA.ResponseObject => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const form = (schema: Schema): OA.RequestBodyObject => ({ required: true, content: { 'application/x-www-form-urlencoded': { schema } } });
const body = (name: string): OA.RequestBodyObject => ({ required: true, ...json(ref(name)) });
const ok = (description: string, schema: Schema): OA.ResponseObject => ({ description, ...json(schema) });
// Headers over Node's limit are refused before any route is chosen, so every operation can answer 431.
const problems = (...statuses: ProblemStatus[]): OA.ResponsesObject =>
  Object.fromEntries([...statuses, 431 as const].map((status) => [String(status), { $ref: `#/components/responses/${PROBLEM_RESPONSES[status][0]}` }]));
const bearer: OA.SecurityRequirementObject[] = [{ bearerAuth: [] }];
const query = (name: string, schema: OA.ParameterObject['schema'], description: string, required = false): OA.ParameterObject => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});
const tokenQuery = (purpose: string) => query('token', { type: 'string' }, `The one-time token from the ${purpose} link.`, true);
const contactId: OA.ParameterObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The contact id (opaque; a malformed id is 404).',
  schema: { type: 'string' },
};

const problemResponse = (description: string, headers: Record<string, OA.HeaderObject> = {}): OA.ResponseObject => ({
  description,
  headers,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const integerHeader = (description: string): OA.HeaderObject => ({ description, schema: { type: 'integer' } });

const name = { type: 'string', minLength: 1, maxLength: NAME_MAX } as const;
const contactFields: Record<string, OA.SchemaObject> = {
  firstName: name,
  lastName: { type: 'string', minLength: 0, maxLength: NAME_MAX, description: '`""` when the contact has none (absent or null in a request).' },
  email: { type: ['string', 'null'], format: 'email', description: 'Unique in the book, compared case-insensitively; contacts without one never clash.' },
  phone: { type: ['string', 'null'], minLength: PHONE_MIN, maxLength: PHONE_MAX, pattern: '^[0-9 +()-]+$', description: 'Digits, spaces and + - ( ).' },
  birthday: {
    type: ['string', 'null'],
    pattern: '^([0-9]{4}-[0-9]{2}-[0-9]{2}|--[0-9]{2}-[0-9]{2})$',
    description: 'A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).',
    examples: ['1990-05-17', '--05-17'],
  },
  notes: { type: ['string', 'null'], maxLength: NOTES_MAX },
};

const etagHeader: OA.HeaderObject = {
  description: 'Strong entity tag of the contact; changes with every change. Send it back in If-None-Match or If-Match.',
  schema: { type: 'string', examples: ['"3"'] },
};
/** A contact answered with its ETag. */
const contactOk = (description: string): OA.ResponseObject => ({ description, headers: { ETag: etagHeader }, ...json(ref('Contact')) });
const ifMatch: OA.ParameterObject = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'An ETag of this contact (or several, comma-separated, or `*`): the write happens only while the contact is still at it, else 412 and nothing changes.',
  schema: { type: 'string' },
};

const schemas: Record<string, OA.SchemaObject> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; every error response has this shape.',
    required: ['type', 'title', 'status', 'code', 'detail'],
    properties: {
      type: { type: 'string', examples: ['about:blank'] },
      title: { type: 'string', examples: ['Conflict'] },
      status: { type: 'integer', examples: [409] },
      code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable machine code.', examples: ['EMAIL_TAKEN'] },
      detail: { type: 'string', examples: ['An account with this email already exists.'] },
      errors: { type: 'array', description: 'Only on 422: one entry per invalid field.', items: ref('FieldError') },
    },
  },
  FieldError: {
    type: 'object',
    required: ['field', 'message'],
    properties: { field: { type: 'string' }, message: { type: 'string' } },
  },
  User: {
    type: 'object',
    required: ['id', 'username', 'email', 'emailVerified', 'avatarUrl', 'createdAt'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      username: { type: 'string' },
      email: { type: 'string', format: 'email' },
      emailVerified: { type: 'boolean' },
      avatarUrl: { type: 'string', description: 'The uploaded avatar, or an identicon until one is uploaded.' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
  SignupRequest: {
    type: 'object',
    required: ['username', 'email', 'password'],
    description: 'Unknown fields (such as emailVerified) are ignored.',
    properties: {
      username: { type: 'string', minLength: 1, maxLength: USERNAME_MAX },
      email: { type: 'string', format: 'email', description: 'Compared case-insensitively.' },
      password: {
        type: 'string',
        format: 'password',
        minLength: PASSWORD_MIN_BYTES,
        description: `${PASSWORD_MIN_BYTES}–${PASSWORD_MAX_BYTES} bytes of UTF-8, never truncated, not a well-known password.`,
      },
    },
  },
  LoginRequest: {
    type: 'object',
    required: ['email', 'password'],
    properties: { email: { type: 'string', format: 'email' }, password: { type: 'string', format: 'password' } },
  },
  LoginForm: {
    type: 'object',
    description: 'The OAuth2 password flow: `username` holds the email.',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string', format: 'email' },
      password: { type: 'string', format: 'password' },
      grant_type: { type: 'string', const: 'password' },
    },
  },
  TokenPair: {
    type: 'object',
    required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn'],
    properties: {
      accessToken: { type: 'string', description: 'A JWT for `Authorization: Bearer …`.' },
      refreshToken: { type: 'string', description: 'Works once: POST /api/auth/refresh answers a new pair.' },
      tokenType: { type: 'string', const: 'Bearer' },
      expiresIn: { type: 'integer', description: 'Seconds until the access token expires.' },
    },
  },
  RefreshRequest: { type: 'object', required: ['refreshToken'], properties: { refreshToken: { type: 'string' } } },
  EmailRequest: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
  ResetPasswordRequest: {
    type: 'object',
    required: ['token', 'password'],
    properties: {
      token: { type: 'string', description: 'The one-time token from the reset link.' },
      password: {
        type: 'string',
        format: 'password',
        minLength: PASSWORD_MIN_BYTES,
        description: `${PASSWORD_MIN_BYTES}–${PASSWORD_MAX_BYTES} bytes of UTF-8, not a well-known password.`,
      },
    },
  },
  Message: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
  VerifyEmailResponse: {
    type: 'object',
    required: ['message', 'user'],
    properties: { message: { type: 'string' }, user: ref('User') },
  },
  AvatarUpload: {
    type: 'object',
    required: ['avatar'],
    properties: {
      avatar: {
        type: 'string',
        contentMediaType: 'application/octet-stream',
        description: 'PNG, JPEG, WebP or GIF, judged by content; at most AVATAR_MAX_BYTES.',
      },
    },
  },
  Contact: {
    type: 'object',
    required: ['id', 'firstName', 'lastName', 'email', 'phone', 'birthday', 'notes', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string', description: 'Opaque.' },
      ...contactFields,
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  ContactInput: {
    type: 'object',
    description: 'A whole contact (create, full replacement); optional fields left out are null (`lastName` "").',
    required: ['firstName'],
    properties: contactFields,
  },
  ImportReport: {
    type: 'object',
    required: ['created', 'skipped'],
    properties: {
      created: { type: 'integer', minimum: 0, description: 'Contacts added.' },
      skipped: {
        type: 'array',
        description: 'Each card not imported, in file order.',
        items: {
          type: 'object',
          required: ['index', 'name', 'reason'],
          properties: {
            index: { type: 'integer', minimum: 0, description: 'Position of the card in the file, from 0.' },
            name: { type: ['string', 'null'], description: 'The name the card shows (FN, else N), if any.' },
            reason: { type: 'string', examples: ['a contact with this email is already in your book', 'the card has no name (FN or N)'] },
          },
        },
      },
    },
  },
  VCardUpload: {
    type: 'object',
    required: ['file'],
    properties: { file: { type: 'string', contentMediaType: 'text/vcard', description: 'A .vcf file, at most CONTACTS_IMPORT_MAX_BYTES.' } },
  },
  ContactPatch: {
    type: 'object',
    description: 'Only the fields to change.',
    properties: contactFields,
  },
  ContactPage: {
    type: 'object',
    required: ['items', 'total', 'limit', 'offset'],
    properties: {
      items: { type: 'array', items: ref('Contact') },
      total: { type: 'integer', minimum: 0 },
      limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
      offset: { type: 'integer', minimum: 0 },
    },
  },
  BirthdayList: {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', description: 'Soonest birthday first.', items: ref('Contact') } },
  },
  UsernameRequest: {
    type: 'object',
    required: ['username'],
    properties: { username: { type: 'string', minLength: 1, maxLength: USERNAME_MAX, description: 'Trimmed; no control characters.' } },
  },
  ChangePasswordRequest: {
    type: 'object',
    required: ['currentPassword', 'newPassword'],
    properties: {
      currentPassword: { type: 'string', format: 'password' },
      newPassword: { type: 'string', format: 'password', minLength: 8, description: 'Same rules as signup; must differ from the current one.' },
    },
  },
  EmailChangeRequest: {
    type: 'object',
    required: ['newEmail', 'currentPassword'],
    properties: { newEmail: { type: 'string', format: 'email' }, currentPassword: { type: 'string', format: 'password' } },
  },
  TokenRequest: {
    type: 'object',
    required: ['token'],
    properties: { token: { type: 'string', description: 'The one-time token from the emailed link.' } },
  },
  PasswordRequest: { type: 'object', required: ['password'], properties: { password: { type: 'string', format: 'password' } } },
  Session: {
    type: 'object',
    description: 'A login (one refresh-token chain). Never shows a token or a hash.',
    required: ['id', 'createdAt', 'lastUsedAt', 'userAgent', 'current'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      createdAt: { type: 'string', format: 'date-time' },
      lastUsedAt: { type: 'string', format: 'date-time', description: 'Last use of one of its tokens; up to a minute behind.' },
      userAgent: { type: ['string', 'null'], maxLength: 256, description: 'The User-Agent of the login, control characters removed.' },
      current: { type: 'boolean', description: 'The session this request came with.' },
    },
  },
  SessionList: {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', description: 'Live sessions, newest first.', items: ref('Session') } },
  },
  AccountExport: {
    type: 'object',
    required: ['exportedAt', 'user', 'contacts', 'sessions'],
    properties: {
      exportedAt: { type: 'string', format: 'date-time' },
      user: ref('User'),
      contacts: { type: 'array', description: 'Every contact, oldest first.', items: ref('Contact') },
      sessions: {
        type: 'array',
        description: 'Every session stored, ended ones included, newest first.',
        items: {
          allOf: [
            ref('Session'),
            {
              type: 'object',
              required: ['expiresAt', 'revokedAt'],
              properties: { expiresAt: { type: 'string', format: 'date-time' }, revokedAt: { type: ['string', 'null'], format: 'date-time' } },
            },
          ],
        },
      },
    },
  },
  Health: { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'ok' } } },
  Ready: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', const: 'ready' },
      checks: { type: 'object', additionalProperties: { type: 'string', const: 'ok' }, examples: [{ database: 'ok', redis: 'ok' }] },
    },
  },
};

const rateLimited = problemResponse('Rate limit hit; retry after `Retry-After` seconds.', {
  'Retry-After': integerHeader('Seconds to wait, at least 1.'),
  'X-RateLimit-Limit': integerHeader('Requests allowed per window.'),
  'X-RateLimit-Remaining': integerHeader('Requests left in this window.'),
  'X-RateLimit-Reset': integerHeader('When the window resets.'),
});

/**
 * The problem+json responses: one for every status the error table (error-statuses.ts) gives a
 * domain error, which the compiler checks, and those of the HTTP exchange itself (HttpProblem).
 */
type ProblemStatus = DomainErrorStatus | 408 | 413 | 415 | 431;
const PROBLEM_RESPONSES: Record<ProblemStatus, [name: string, response: OA.ResponseObject]> = {
  400: [
    'BadRequest',
    problemResponse('Malformed body (not JSON, not an object, or not decodable as its Content-Encoding says), or an invalid or expired one-time token.'),
  ],
  401: [
    'Unauthorized',
    problemResponse('Missing, malformed, expired or revoked token; or bad credentials.', {
      'WWW-Authenticate': { description: 'Always `Bearer`.', schema: { type: 'string' } },
    }),
  ],
  403: ['Forbidden', problemResponse('EMAIL_NOT_VERIFIED: the password was right but the email is not confirmed yet.')],
  404: ['NotFound', problemResponse('Absent, or owned by another user.')],
  408: [
    'RequestTimeout',
    problemResponse('REQUEST_TIMEOUT: the upload stopped arriving, or came too slowly for its size; the connection is closed.', {
      Connection: { description: 'Always `close`.', schema: { type: 'string' } },
    }),
  ],
  409: ['Conflict', problemResponse('Duplicate (EMAIL_TAKEN, CONTACT_EMAIL_TAKEN).')],
  412: ['PreconditionFailed', problemResponse('PRECONDITION_FAILED: If-Match does not match the contact’s current ETag; nothing was changed.')],
  413: ['PayloadTooLarge', problemResponse('Body or upload too large (JSON bodies: 1 MB; vCard imports: CONTACTS_IMPORT_MAX_BYTES).')],
  415: [
    'UnsupportedMediaType',
    problemResponse(
      'Unsupported content type, a charset other than UTF-8 (UNSUPPORTED_MEDIA_TYPE), or an unknown Content-Encoding (UNSUPPORTED_CONTENT_ENCODING).',
      {
        'Accept-Encoding': { description: 'With UNSUPPORTED_CONTENT_ENCODING: the codings accepted.', schema: { type: 'string' } },
      },
    ),
  ],
  422: ['ValidationFailed', problemResponse('Validation failed; `errors` names each field.')],
  429: ['TooManyRequests', rateLimited],
  431: ['HeadersTooLarge', problemResponse("HEADERS_TOO_LARGE: the request line and headers are over the server's limit; the connection is closed.")],
  502: ['BadGateway', problemResponse('AVATAR_STORAGE_FAILED: the image store answered with an error; the current avatar is unchanged.')],
  503: [
    'ServiceUnavailable',
    problemResponse(
      'A backing service does not answer (`detail` names it), a bounded queue (password hashing, background work, uploads waiting their turn: UPLOADS_BUSY) is full, or the server is shutting down.',
      {
        'Retry-After': integerHeader('Seconds to wait before trying again, when known (a full queue).'),
      },
    ),
  ],
  504: ['GatewayTimeout', problemResponse('AVATAR_STORAGE_TIMEOUT: the image store did not answer in time; the current avatar is unchanged.')],
};

const contactWrite = problems(400, 401, 404, 409, 412, 413, 415, 422, 429, 503);

const PAGE_FAILURES: Record<number, string> = {
  400: 'The form could not be read (malformed, or not decodable as its Content-Encoding says).',
  413: 'The form is too large.',
  415: 'The form was sent in another content type, charset or Content-Encoding.',
  429: 'Too many attempts from this client; `Retry-After` says when to come back.',
  503: 'A backing service does not answer; try again shortly.',
};
/** What a page answers when it cannot do its work: a page with the status, never problem+json. */
const pageFailures = (...statuses: number[]): OA.ResponsesObject =>
  Object.fromEntries(statuses.map((status) => [String(status), html(PAGE_FAILURES[status]!)]));
/** The failures of a page form's POST: its body is read like the API's. */
const formFailures = (...extra: number[]) => pageFailures(400, 413, 415, ...extra, 503);

export const openApiDocument: OA.OpenAPIObject = {
  openapi: '3.1.0',
  info: {
    title: 'Contacts API',
    version: '0.1.0',
    description:
      'Accounts (signup, email verification, JWT sessions, password reset, avatars) and a private contact book. ' +
      'Every error is `application/problem+json` with a stable `code`. Every response carries `X-Request-Id` ' +
      "(the caller's, when sane, else a new one); quote it when reporting a problem. " +
      'Beyond what each operation lists: a method a path does not have (or no path has) answers 405, an unknown ' +
      'path 404, and a request that is not valid HTTP/1.1 400 (MALFORMED_REQUEST) or, when it arrives too slowly, ' +
      '408 (REQUEST_TIMEOUT), all problem+json.',
  },
  tags: [
    { name: 'Auth', description: 'Signup, verification, sessions, password reset.' },
    { name: 'Users', description: 'The signed-in user.' },
    { name: 'Your account', description: 'Self-service: username, password, email, sessions, deletion, export.' },
    { name: 'Contacts', description: "The signed-in user's own contacts (others answer 404)." },
    { name: 'Pages', description: 'Server-rendered HTML pages the links in emails open.' },
    { name: 'Operations', description: 'Liveness, readiness and this documentation.' },
  ],
  paths: {
    '/api/auth/signup': {
      post: {
        tags: ['Auth'],
        operationId: 'signUp',
        summary: 'Create an account and send the verification email',
        requestBody: body('SignupRequest'),
        responses: {
          '201': ok('The new, unverified user.', { type: 'object', required: ['user'], properties: { user: ref('User') } }),
          ...problems(400, 409, 413, 415, 422, 429, 503),
        },
      },
    },
    '/api/auth/verify-email': {
      get: {
        tags: ['Auth'],
        operationId: 'verifyEmail',
        summary: 'Confirm an email address (idempotent)',
        parameters: [tokenQuery('verification')],
        responses: { '200': ok('Confirmed (also on a second click).', ref('VerifyEmailResponse')), ...problems(400, 503) },
      },
    },
    '/api/auth/resend-verification': {
      post: {
        tags: ['Auth'],
        operationId: 'resendVerification',
        summary: 'Send a new verification email',
        description: 'Same answer whether or not the account exists or is verified; at most one email per address per minute.',
        requestBody: body('EmailRequest'),
        responses: { '202': ok('Accepted.', ref('Message')), ...problems(400, 413, 415, 422, 429, 503) },
      },
    },
    '/api/auth/login': {
      post: {
        tags: ['Auth'],
        operationId: 'logIn',
        summary: 'Log in and receive a token pair',
        description:
          '401 alike for an unknown email and a wrong password; 403 only after a correct password. Too many failures for one email from one IP → 429 (see the rate limits: a stranger cannot lock the owner out). 503 with Retry-After when the password hashing queue is full.',
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('LoginRequest') },
            'application/x-www-form-urlencoded': { schema: ref('LoginForm') },
          },
        },
        responses: { '200': ok('Logged in.', ref('TokenPair')), ...problems(400, 401, 403, 413, 415, 422, 429, 503) },
      },
    },
    '/api/auth/refresh': {
      post: {
        tags: ['Auth'],
        operationId: 'refreshSession',
        summary: 'Exchange a refresh token for a new pair',
        description: 'A refresh token works once; replaying a used one answers 401 and revokes that session.',
        requestBody: body('RefreshRequest'),
        responses: { '200': ok('A new token pair.', ref('TokenPair')), ...problems(400, 401, 413, 415, 422, 503) },
      },
    },
    '/api/auth/logout': {
      post: {
        tags: ['Auth'],
        operationId: 'logOut',
        summary: 'End the session (its access and refresh tokens stop working at once)',
        security: bearer,
        requestBody: body('RefreshRequest'),
        responses: { '204': { description: 'Logged out.' }, ...problems(400, 401, 413, 415, 422, 503) },
      },
    },
    '/api/auth/forgot-password': {
      post: {
        tags: ['Auth'],
        operationId: 'forgotPassword',
        summary: 'Send a password reset email',
        description:
          'Same answer, in the same time, whether or not the account exists (the lookup and the email happen after the answer); at most one email per address per minute. 503 with Retry-After when the background queue is full.',
        requestBody: body('EmailRequest'),
        responses: { '202': ok('Accepted.', ref('Message')), ...problems(400, 413, 415, 422, 429, 503) },
      },
    },
    '/api/auth/reset-password': {
      post: {
        tags: ['Auth'],
        operationId: 'resetPassword',
        summary: 'Set a new password with a reset token',
        description: 'The token is single-use; afterwards every existing token of the user is refused and a confirmation email is sent.',
        requestBody: body('ResetPasswordRequest'),
        responses: { '204': { description: 'Password changed.' }, ...problems(400, 413, 415, 422, 429, 503) },
      },
    },
    '/api/users/me': {
      get: {
        tags: ['Users'],
        operationId: 'getMe',
        summary: 'The signed-in user',
        security: bearer,
        responses: { '200': ok('The user.', ref('User')), ...problems(401, 503) },
      },
      patch: {
        tags: ['Your account'],
        operationId: 'updateMe',
        summary: 'Change your username (the only field edited directly)',
        security: bearer,
        requestBody: body('UsernameRequest'),
        responses: { '200': ok('The user.', ref('User')), ...problems(400, 401, 413, 415, 422, 503) },
      },
      delete: {
        tags: ['Your account'],
        operationId: 'deleteMe',
        summary: 'Delete your account and everything it owns',
        description:
          'Contacts, sessions, one-time tokens, queued emails and the avatar go; every token is refused at once; a goodbye email is sent; ' +
          'the address can sign up again. A wrong password is 403 `WRONG_PASSWORD` and counts as a failed login (429 past the limit). ' +
          'Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.',
        security: bearer,
        requestBody: body('PasswordRequest'),
        responses: { '204': { description: 'Deleted.' }, ...problems(400, 401, 403, 413, 415, 422, 429, 503) },
      },
    },
    '/api/users/me/password': {
      post: {
        tags: ['Your account'],
        operationId: 'changePassword',
        summary: 'Change your password',
        description:
          'Every other session is revoked at once and the old access token is refused; the calling session gets the new pair. ' +
          'A "password changed" email is sent. A wrong current password is 403 `WRONG_PASSWORD` and counts as a failed login. ' +
          'Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.',
        security: bearer,
        requestBody: body('ChangePasswordRequest'),
        responses: { '200': ok('A new token pair for the calling session.', ref('TokenPair')), ...problems(400, 401, 403, 413, 415, 422, 429, 503) },
      },
    },
    '/api/users/me/email': {
      post: {
        tags: ['Your account'],
        operationId: 'requestEmailChange',
        summary: 'Ask to change your email address',
        description:
          'Nothing changes yet: a link to `/account/confirm-email-change` goes to the new address (expires after `VERIFY_TOKEN_TTL_S`; only the newest works), ' +
          'and a notice with the new address partly masked goes to the current one. 409 `EMAIL_TAKEN` if another account uses the address. ' +
          'At most one confirmation per new address per minute (a further request still answers 202; the notice is always sent). ' +
          'Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.',
        security: bearer,
        requestBody: body('EmailChangeRequest'),
        responses: { '202': ok('Accepted.', ref('Message')), ...problems(400, 401, 403, 409, 413, 415, 422, 429, 503) },
      },
    },
    '/api/users/me/sessions': {
      get: {
        tags: ['Your account'],
        operationId: 'listSessions',
        summary: 'Your live sessions',
        security: bearer,
        responses: { '200': ok('Newest first; `current` marks the calling one.', ref('SessionList')), ...problems(401, 503) },
      },
      delete: {
        tags: ['Your account'],
        operationId: 'revokeOtherSessions',
        summary: 'Log out everywhere else',
        description: 'Every session but the calling one is revoked at once (its access and refresh tokens refused).',
        security: bearer,
        responses: { '204': { description: 'Done.' }, ...problems(401, 503) },
      },
    },
    '/api/users/me/sessions/{id}': {
      delete: {
        tags: ['Your account'],
        operationId: 'revokeSession',
        summary: 'End one of your sessions',
        description: "Its access and refresh tokens are refused at once. Another user's session or an unknown id → 404.",
        security: bearer,
        parameters: [{ name: 'id', in: 'path', required: true, description: 'The session id.', schema: { type: 'string' } }],
        responses: { '204': { description: 'Revoked.' }, ...problems(401, 404, 503) },
      },
    },
    '/api/users/me/export': {
      get: {
        tags: ['Your account'],
        operationId: 'exportAccount',
        summary: 'Everything the service holds about you, as a JSON file',
        description:
          'No hashes, no tokens. Sent with `Content-Disposition: attachment; filename="account-export.json"`. ' +
          'Limited per user with avatar uploads (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`).',
        security: bearer,
        responses: {
          '200': {
            description: 'The export.',
            headers: { 'Content-Disposition': { description: '`attachment; filename="account-export.json"`', schema: { type: 'string' } } },
            ...json(ref('AccountExport')),
          },
          ...problems(401, 429, 503),
        },
      },
    },
    '/api/auth/confirm-email-change': {
      post: {
        tags: ['Your account'],
        operationId: 'confirmEmailChange',
        summary: 'Switch to the new email address with the emailed token',
        description:
          'The token is the proof (no Bearer). Single-use; a newer request makes older links invalid. The new address is verified, and a notice goes to the old one; ' +
          'every password-reset link issued before the switch stops working (they went to the old address). ' +
          'Limited per client IP like the other auth routes.',
        requestBody: body('TokenRequest'),
        responses: {
          '200': ok('Switched.', { type: 'object', required: ['user'], properties: { user: ref('User') } }),
          ...problems(400, 409, 413, 415, 422, 429, 503),
        },
      },
    },
    '/api/users/me/avatar': {
      patch: {
        tags: ['Users'],
        operationId: 'updateAvatar',
        summary: 'Upload a new avatar',
        description:
          'Limited per user with the account export (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`), counted before the upload is read. ' +
          'The uploads of an instance share a bounded amount of memory: past it an upload waits its turn, and too many waiting, or waiting 15 s, is 503 UPLOADS_BUSY with Retry-After. ' +
          'A body that stops for 10 s, or arrives slower than 64 KiB/s after the first 10 s, is 408 REQUEST_TIMEOUT.',
        security: bearer,
        requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('AvatarUpload') } } },
        responses: { '200': ok('The user with its new avatarUrl.', ref('User')), ...problems(400, 401, 408, 413, 415, 422, 429, 502, 503, 504) },
      },
    },
    '/api/contacts': {
      get: {
        tags: ['Contacts'],
        operationId: 'listContacts',
        summary: 'Search and page through contacts',
        security: bearer,
        parameters: [
          query('q', { type: 'string' }, 'Case-insensitive substring of the first name, last name or email.'),
          query('firstName', { type: 'string' }, 'Filter on the first name.'),
          query('lastName', { type: 'string' }, 'Filter on the last name.'),
          query('email', { type: 'string' }, 'Filter on the email.'),
          query('limit', { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }, 'Page size.'),
          query('offset', { type: 'integer', minimum: 0, default: 0 }, 'Items to skip.'),
        ],
        responses: { '200': ok('A page of contacts.', ref('ContactPage')), ...problems(401, 422, 429, 503) },
      },
      post: {
        tags: ['Contacts'],
        operationId: 'createContact',
        summary: 'Add a contact',
        security: bearer,
        requestBody: body('ContactInput'),
        responses: {
          '201': { ...contactOk('The new contact.'), headers: { ETag: etagHeader, Location: { description: 'Its address.', schema: { type: 'string' } } } },
          ...problems(400, 401, 409, 413, 415, 422, 429, 503),
        },
      },
    },
    '/api/contacts/export': {
      get: {
        tags: ['Contacts'],
        operationId: 'exportContacts',
        summary: 'The whole book as a vCard file',
        description:
          'Every contact as one card: vCard 4.0 (RFC 6350) by default, 3.0 (RFC 2426) with `version=3.0`. Each card has `UID` (the contact id), ' +
          '`FN`, `N`, `REV`, and the `EMAIL`, `TEL`, `BDAY` (a day without a year as `--MMDD` in 4.0, Apple’s `X-APPLE-OMIT-YEAR` in 3.0) and `NOTE` ' +
          'the contact has. Lines end in CRLF and are folded at 75 octets. Streamed: a large book is never held in memory.',
        security: bearer,
        parameters: [query('version', { type: 'string', enum: ['4.0', '3.0'], default: '4.0' }, 'vCard version.')],
        responses: {
          '200': {
            description: 'The vCard file (empty for an empty book).',
            headers: { 'Content-Disposition': { description: '`attachment; filename="contacts.vcf"`', schema: { type: 'string' } } },
            content: { 'text/vcard; charset=utf-8': { schema: { type: 'string' } } },
          },
          ...problems(401, 422, 429, 503),
        },
      },
    },
    '/api/contacts/import': {
      post: {
        tags: ['Contacts'],
        operationId: 'importContacts',
        summary: 'Add the contacts of a vCard file',
        description:
          'vCard 2.1, 3.0 or 4.0 as address books export them (folded lines, quoted-printable, CHARSET, grouped properties, several cards). ' +
          'Each card becomes one contact (N/FN → names, the preferred or first EMAIL and TEL, BDAY in any of its forms, NOTE). A card without a name, ' +
          'with an invalid field, or whose email is already in the book or earlier in the file is skipped and reported; the others are stored in one ' +
          'transaction. Counts as one creation for RATE_LIMIT_CONTACT_CREATE_MAX. Also accepted as `text/x-vcard` and `text/directory`. ' +
          'Over CONTACTS_IMPORT_MAX_BYTES, or over 50,000 cards (TOO_MANY_CARDS), is 413; no card at all is 422 NOT_A_VCARD.',
        security: bearer,
        requestBody: {
          required: true,
          content: {
            'text/vcard': { schema: { type: 'string' } },
            'multipart/form-data': { schema: ref('VCardUpload') },
          },
        },
        responses: { '200': ok('What was imported and what was skipped.', ref('ImportReport')), ...problems(400, 401, 408, 413, 415, 422, 429, 503) },
      },
    },
    '/api/contacts/birthdays': {
      get: {
        tags: ['Contacts'],
        operationId: 'upcomingBirthdays',
        summary: 'Birthdays from today through today + days (UTC)',
        description: 'Across the new year; 29 February birthdays fall on 28 February in common years.',
        security: bearer,
        parameters: [query('days', { type: 'integer', minimum: 0, maximum: MAX_BIRTHDAY_DAYS, default: DEFAULT_BIRTHDAY_DAYS }, 'How many days ahead.')],
        responses: { '200': ok('Soonest first.', ref('BirthdayList')), ...problems(401, 422, 429, 503) },
      },
    },
    '/api/contacts/{id}': {
      parameters: [contactId],
      get: {
        tags: ['Contacts'],
        operationId: 'getContact',
        summary: 'One contact',
        security: bearer,
        parameters: [
          {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            description: 'ETags the client holds (or `*`): 304 while one of them is still current.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': contactOk('The contact.'),
          '304': { description: 'Not modified: the If-None-Match tag is current. No body.', headers: { ETag: etagHeader } },
          ...problems(401, 404, 429, 503),
        },
      },
      put: {
        tags: ['Contacts'],
        operationId: 'replaceContact',
        summary: 'Replace a contact',
        security: bearer,
        parameters: [ifMatch],
        requestBody: body('ContactInput'),
        responses: { '200': contactOk('The contact.'), ...contactWrite },
      },
      patch: {
        tags: ['Contacts'],
        operationId: 'updateContact',
        summary: 'Change some fields of a contact',
        description: '`null` clears an optional field.',
        security: bearer,
        parameters: [ifMatch],
        requestBody: body('ContactPatch'),
        responses: { '200': contactOk('The contact.'), ...contactWrite },
      },
      delete: {
        tags: ['Contacts'],
        operationId: 'deleteContact',
        summary: 'Delete a contact',
        security: bearer,
        parameters: [ifMatch],
        responses: { '204': { description: 'Deleted.' }, ...problems(401, 404, 412, 429, 503) },
      },
    },
    '/account/verify-email': {
      get: {
        tags: ['Pages'],
        operationId: 'verifyEmailPage',
        summary: 'The verification link: confirms the email and says so',
        parameters: [tokenQuery('verification')],
        responses: { '200': html('Confirmed.'), '400': html('Invalid or expired link, with a way to get a new one.'), ...pageFailures(503) },
      },
    },
    '/account/forgot-password': {
      get: {
        tags: ['Pages'],
        operationId: 'forgotPasswordPage',
        summary: 'Form asking for the email',
        responses: { '200': html('The form.') },
      },
      post: {
        tags: ['Pages'],
        operationId: 'forgotPasswordSubmit',
        summary: 'Send the reset email; always shows "check your inbox"',
        requestBody: form({ type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } }),
        responses: { '200': html('Check your inbox.'), '422': html('The form again, with the error (a malformed address).'), ...formFailures(429) },
      },
    },
    '/account/reset-password': {
      get: {
        tags: ['Pages'],
        operationId: 'resetPasswordPage',
        summary: 'The reset link: a form for a new password (does not consume the token)',
        parameters: [tokenQuery('reset')],
        responses: { '200': html('The form.'), '400': html('Invalid or expired link, with a way to get a new one.'), ...pageFailures(503) },
      },
      post: {
        tags: ['Pages'],
        operationId: 'resetPasswordSubmit',
        summary: 'Set the new password',
        requestBody: form({
          type: 'object',
          required: ['token', 'password', 'passwordConfirm'],
          properties: { token: { type: 'string' }, password: { type: 'string', format: 'password' }, passwordConfirm: { type: 'string', format: 'password' } },
        }),
        responses: {
          '200': html('Password changed.'),
          ...formFailures(429),
          '400': html('Invalid or expired link (with a way to get a new one), or a form that could not be read.'),
          '422': html('The form again, with the error (the passwords differ, or the policy refuses the password).'),
        },
      },
    },
    '/account/resend-verification': {
      get: {
        tags: ['Pages'],
        operationId: 'resendVerificationPage',
        summary: 'Form asking for the email to send a new confirmation link to',
        responses: { '200': html('The form.') },
      },
      post: {
        tags: ['Pages'],
        operationId: 'resendVerificationSubmit',
        summary: 'Send a new confirmation link; always shows "check your inbox"',
        requestBody: form({ type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } }),
        responses: { '200': html('Check your inbox.'), '422': html('The form again, with the error (a malformed address).'), ...formFailures(429) },
      },
    },
    '/account/confirm-email-change': {
      get: {
        tags: ['Pages'],
        operationId: 'confirmEmailChangePage',
        summary: 'Shows the new address and a "Confirm" button; does not use the link',
        parameters: [tokenQuery('email change')],
        responses: {
          '200': html('The confirmation page.'),
          '400': html('Invalid, used, replaced or expired link.'),
          '503': html('A backing service is down.'),
        },
      },
      post: {
        tags: ['Pages'],
        operationId: 'confirmEmailChangeForm',
        summary: 'Switches the email address (form post of `token`)',
        requestBody: form({ type: 'object', required: ['token'], properties: { token: { type: 'string' } } }),
        responses: {
          '200': html('Changed.'),
          '400': html('Invalid, used, replaced or expired link (or an unreadable form).'),
          '409': html('Another account took the address meanwhile; nothing changed.'),
          '413': html('The form is too large.'),
          '415': html('Not a form.'),
          '429': html('Too many attempts from this client.'),
          '503': html('A backing service is down.'),
        },
      },
    },
    '/media/{name}': {
      get: {
        tags: ['Users'],
        operationId: 'avatarFile',
        summary: 'An avatar stored on local disk (only when CLOUDINARY_URL is unset)',
        parameters: [{ name: 'name', in: 'path', required: true, description: "File name from the user's avatarUrl.", schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The image.', content: { 'image/png': {}, 'image/jpeg': {}, 'image/webp': {}, 'image/gif': {} } },
          ...problems(404),
        },
      },
    },
    '/health': {
      get: {
        tags: ['Operations'],
        operationId: 'health',
        summary: 'Liveness: 200 while the process runs',
        responses: { '200': ok('Alive.', ref('Health')) },
      },
    },
    '/ready': {
      get: {
        tags: ['Operations'],
        operationId: 'ready',
        summary: 'Readiness: the database (and Redis, if configured) answer',
        responses: { '200': ok('Every check answered.', ref('Ready')), ...problems(503) },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['Operations'],
        operationId: 'openApi',
        summary: 'This document',
        responses: { '200': ok('OpenAPI 3.1.', { type: 'object' }) },
      },
    },
    '/docs': {
      get: {
        tags: ['Operations'],
        operationId: 'docs',
        summary: 'Interactive documentation of this document',
        responses: { '200': html('The documentation page.') },
      },
    },
  },
  components: {
    schemas,
    responses: Object.fromEntries(Object.values(PROBLEM_RESPONSES)),
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken from login or refresh.' },
    },
  },
};
