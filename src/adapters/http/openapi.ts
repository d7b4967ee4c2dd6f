import type * as OA from 'openapi3-ts/oas31';

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
const problems = (...statuses: number[]): OA.ResponsesObject =>
  Object.fromEntries([...statuses, 431].map((status) => [String(status), { $ref: `#/components/responses/${PROBLEM_RESPONSES[status]}` }]));
const bearer: OA.SecurityRequirementObject[] = [{ bearerAuth: [] }];
const query = (name: string, schema: OA.ParameterObject['schema'], description: string, required = false): OA.ParameterObject => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});
const tokenQuery = (purpose: string) => query('token', { type: 'string' }, `The one-time token from the ${purpose} link.`, true);
const contactId: OA.ParameterObject = { name: 'id', in: 'path', required: true, description: 'The contact id (opaque; a malformed id is 404).', schema: { type: 'string' } };

const PROBLEM_RESPONSES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'ValidationFailed',
  429: 'TooManyRequests',
  431: 'HeadersTooLarge',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

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

const problemResponse = (description: string, headers: Record<string, OA.HeaderObject> = {}): OA.ResponseObject => ({
  description,
  headers,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const integerHeader = (description: string): OA.HeaderObject => ({ description, schema: { type: 'integer' } });

const name = { type: 'string', minLength: 1, maxLength: 50 } as const;
const contactFields: Record<string, OA.SchemaObject> = {
  firstName: name,
  lastName: name,
  email: { type: 'string', format: 'email' },
  phone: { type: 'string', minLength: 5, maxLength: 30, pattern: '^[0-9 +()-]+$', description: 'Digits, spaces and + - ( ).' },
  birthday: { type: 'string', format: 'date', description: 'A real date, not in the future (YYYY-MM-DD).' },
  notes: { type: ['string', 'null'] },
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
      username: { type: 'string', minLength: 1, maxLength: 50 },
      email: { type: 'string', format: 'email', description: 'Compared case-insensitively.' },
      password: { type: 'string', format: 'password', minLength: 8, description: '8–72 bytes of UTF-8, never truncated, not a well-known password.' },
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
      password: { type: 'string', format: 'password', minLength: 8, description: '8–72 bytes of UTF-8, not a well-known password.' },
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
      avatar: { type: 'string', contentMediaType: 'application/octet-stream', description: 'PNG, JPEG, WebP or GIF, judged by content; at most AVATAR_MAX_BYTES.' },
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
    description: 'A whole contact (create, full replacement).',
    required: ['firstName', 'lastName', 'email', 'phone', 'birthday'],
    properties: contactFields,
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
      limit: { type: 'integer', minimum: 1, maximum: 100 },
      offset: { type: 'integer', minimum: 0 },
    },
  },
  BirthdayList: {
    type: 'object',
    required: ['items'],
    properties: { items: { type: 'array', description: 'Soonest birthday first.', items: ref('Contact') } },
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

const contactWrite = problems(400, 401, 404, 409, 413, 415, 422, 429, 503);

export const openApiDocument: OA.OpenAPIObject = {
  openapi: '3.1.0',
  info: {
    title: 'Contacts API',
    version: '0.1.0',
    description:
      'Accounts (signup, email verification, JWT sessions, password reset, avatars) and a private contact book. ' +
      'Every error is `application/problem+json` with a stable `code`. Every response carries `X-Request-Id` ' +
      '(the caller\'s, when sane, else a new one); quote it when reporting a problem. ' +
      'Beyond what each operation lists: a method a path does not have (or no path has) answers 405, an unknown ' +
      'path 404, and a request that is not valid HTTP/1.1 400 (MALFORMED_REQUEST) or, when it arrives too slowly, ' +
      '408 (REQUEST_TIMEOUT), all problem+json.',
  },
  tags: [
    { name: 'Auth', description: 'Signup, verification, sessions, password reset.' },
    { name: 'Users', description: 'The signed-in user.' },
    { name: 'Contacts', description: 'The signed-in user\'s own contacts (others answer 404).' },
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
        description: '401 alike for an unknown email and a wrong password; 403 only after a correct password. Too many failures for one email → 429.',
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
        description: 'Same answer whether or not the account exists; at most one email per address per minute.',
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
        responses: { '204': { description: 'Password changed.' }, ...problems(400, 413, 415, 422, 503) },
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
    },
    '/api/users/me/avatar': {
      patch: {
        tags: ['Users'],
        operationId: 'updateAvatar',
        summary: 'Upload a new avatar',
        security: bearer,
        requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('AvatarUpload') } } },
        responses: { '200': ok('The user with its new avatarUrl.', ref('User')), ...problems(400, 401, 413, 415, 422, 502, 503, 504) },
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
          query('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, 'Page size.'),
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
        responses: { '201': ok('The new contact.', ref('Contact')), ...problems(400, 401, 409, 413, 415, 422, 429, 503) },
      },
    },
    '/api/contacts/birthdays': {
      get: {
        tags: ['Contacts'],
        operationId: 'upcomingBirthdays',
        summary: 'Birthdays from today through today + days (UTC)',
        description: 'Across the new year; 29 February birthdays fall on 28 February in common years.',
        security: bearer,
        parameters: [query('days', { type: 'integer', minimum: 0, maximum: 366, default: 7 }, 'How many days ahead.')],
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
        responses: { '200': ok('The contact.', ref('Contact')), ...problems(401, 404, 429, 503) },
      },
      put: {
        tags: ['Contacts'],
        operationId: 'replaceContact',
        summary: 'Replace a contact',
        security: bearer,
        requestBody: body('ContactInput'),
        responses: { '200': ok('The contact.', ref('Contact')), ...contactWrite },
      },
      patch: {
        tags: ['Contacts'],
        operationId: 'updateContact',
        summary: 'Change some fields of a contact',
        security: bearer,
        requestBody: body('ContactPatch'),
        responses: { '200': ok('The contact.', ref('Contact')), ...contactWrite },
      },
      delete: {
        tags: ['Contacts'],
        operationId: 'deleteContact',
        summary: 'Delete a contact',
        security: bearer,
        responses: { '204': { description: 'Deleted.' }, ...problems(401, 404, 429, 503) },
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
          ...formFailures(),
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
    '/media/{name}': {
      get: {
        tags: ['Users'],
        operationId: 'avatarFile',
        summary: 'An avatar stored on local disk (only when CLOUDINARY_URL is unset)',
        parameters: [{ name: 'name', in: 'path', required: true, description: 'File name from the user\'s avatarUrl.', schema: { type: 'string' } }],
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
    responses: {
      BadRequest: problemResponse('Malformed body (not JSON, not an object, or not decodable as its Content-Encoding says), or an invalid or expired one-time token.'),
      Unauthorized: problemResponse('Missing, malformed, expired or revoked token; or bad credentials.', {
        'WWW-Authenticate': { description: 'Always `Bearer`.', schema: { type: 'string' } },
      }),
      Forbidden: problemResponse('EMAIL_NOT_VERIFIED: the password was right but the email is not confirmed yet.'),
      NotFound: problemResponse('Absent, or owned by another user.'),
      Conflict: problemResponse('Duplicate (EMAIL_TAKEN, CONTACT_EMAIL_TAKEN).'),
      PayloadTooLarge: problemResponse('Body or upload too large (JSON bodies: 1 MB).'),
      UnsupportedMediaType: problemResponse(
        'Unsupported content type, a charset other than UTF-8 (UNSUPPORTED_MEDIA_TYPE), or an unknown Content-Encoding (UNSUPPORTED_CONTENT_ENCODING).',
        { 'Accept-Encoding': { description: 'With UNSUPPORTED_CONTENT_ENCODING: the codings accepted (`gzip, deflate, br`).', schema: { type: 'string' } } },
      ),
      HeadersTooLarge: problemResponse('The request line and headers are over the server\'s limit (HEADERS_TOO_LARGE); the connection is closed.'),
      BadGateway: problemResponse('The avatar store answered with an error (AVATAR_STORAGE_FAILED); the old avatar stays.'),
      GatewayTimeout: problemResponse('The avatar store did not answer within CLOUDINARY_TIMEOUT_MS (AVATAR_STORAGE_TIMEOUT); the old avatar stays.'),
      ValidationFailed: problemResponse('Validation failed; `errors` names each field.'),
      TooManyRequests: rateLimited,
      ServiceUnavailable: problemResponse('A backing service (database, avatar store) does not answer, or is busy; try again shortly.'),
    },
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken from login or refresh.' },
    },
  },
};
