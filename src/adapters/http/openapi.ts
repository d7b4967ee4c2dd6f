import type { TObject, TSchema } from '@sinclair/typebox';
import type * as OA from 'openapi3-ts/oas31';
import { accountRouteSpecs } from './pages/account.routes.js';
import type { ProblemStatus, RouteSpec } from './route.js';
import { appPasswordRouteSpecs } from './routes/app-passwords.routes.js';
import { authRouteSpecs } from './routes/auth.routes.js';
import { contactMergeRouteSpecs } from './routes/contact-merge.routes.js';
import { contactPhotoRouteSpecs } from './routes/contact-photo.routes.js';
import { contactRouteSpecs } from './routes/contacts.routes.js';
import { trashRouteSpecs } from './routes/trash.routes.js';
import { docsRouteSpecs } from './routes/docs.routes.js';
import { labelRouteSpecs } from './routes/labels.routes.js';
import { mediaRouteSpecs } from './routes/media.routes.js';
import { operationsRouteSpecs } from './routes/operations.routes.js';
import { userRouteSpecs } from './routes/users.routes.js';
import { FieldError, Health, Message, Problem, Ready } from './schemas/common.js';
import { APP_PASSWORD_SCHEMAS } from './schemas/app-passwords.js';
import { CONTACT_SCHEMAS } from './schemas/contacts.js';
import { DUPLICATE_SCHEMAS } from './schemas/duplicates.js';
import { LABEL_SCHEMAS } from './schemas/labels.js';
import { SYNC_SCHEMAS } from './schemas/sync.js';
import { USER_SCHEMAS } from './schemas/users.js';

// The public contract as an OpenAPI 3.1 document, assembled from the route declarations the
// routers are built from (route.ts): nothing here describes a route by hand.

/** Every declared route, in the document's order. */
export const ROUTE_SPECS: readonly RouteSpec[] = [
  authRouteSpecs,
  userRouteSpecs,
  appPasswordRouteSpecs,
  contactRouteSpecs,
  contactPhotoRouteSpecs,
  contactMergeRouteSpecs,
  trashRouteSpecs,
  labelRouteSpecs,
  accountRouteSpecs,
  mediaRouteSpecs,
  operationsRouteSpecs,
  docsRouteSpecs,
].flatMap((family) => Object.values(family) as RouteSpec[]);

const NAMED_SCHEMAS: readonly TSchema[] = [
  Problem,
  FieldError,
  ...USER_SCHEMAS,
  ...APP_PASSWORD_SCHEMAS,
  Message,
  ...CONTACT_SCHEMAS,
  ...DUPLICATE_SCHEMAS,
  ...SYNC_SCHEMAS,
  ...LABEL_SCHEMAS,
  Health,
  Ready,
];

type Schema = OA.SchemaObject | OA.ReferenceObject;

const plain = (schema: TSchema): OA.SchemaObject => JSON.parse(JSON.stringify(schema)) as OA.SchemaObject;

/** A named schema as a reference to its component, any other written out. */
function schemaOf(schema: TSchema): Schema {
  if (schema.$id === undefined) return plain(schema);
  if (!NAMED_SCHEMAS.includes(schema)) throw new Error(`the schema ${schema.$id} is used by a route but not listed among the document's components`);
  return { $ref: `#/components/schemas/${schema.$id}` };
}

function componentOf(schema: TSchema): OA.SchemaObject {
  const { $id: _id, ...rest } = plain(schema) as OA.SchemaObject & { $id?: string };
  return rest;
}

/** An object schema's properties as parameters, each property's description lifted onto the parameter. */
function parametersOf(object: TObject | undefined, where: 'path' | 'query'): OA.ParameterObject[] {
  if (!object) return [];
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties).map(([name, property]) => {
    const { description, ...schema } = plain(property);
    return { name, in: where, required: where === 'path' || required.has(name), description: description ?? '', schema };
  });
}

function requestBodyOf(spec: RouteSpec): OA.RequestBodyObject | undefined {
  const content: OA.ContentObject = { ...spec.upload };
  if (spec.body?.json) content['application/json'] = { schema: schemaOf(spec.body.json) };
  if (spec.body?.form) content['application/x-www-form-urlencoded'] = { schema: schemaOf(spec.body.form) };
  return Object.keys(content).length > 0 ? { required: true, content } : undefined;
}

const problemRef = (status: ProblemStatus): OA.ReferenceObject => ({ $ref: `#/components/responses/${PROBLEM_RESPONSES[status][0]}` });

function responsesOf(spec: RouteSpec): OA.ResponsesObject {
  const responses: OA.ResponsesObject = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const content = response.schema ? { 'application/json': { schema: schemaOf(response.schema) } } : response.content;
    responses[status] = { description: response.description, ...(response.headers && { headers: response.headers }), ...(content && { content }) };
  }
  // Headers over Node's limit are refused before any route is chosen, so every operation can answer 431.
  for (const status of [...(spec.problems ?? []), 431 as const]) responses[String(status)] ??= problemRef(status);
  return responses;
}

function operationOf(spec: RouteSpec): OA.OperationObject {
  const parameters = [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query'), ...(spec.headers ?? [])];
  const requestBody = requestBodyOf(spec);
  return {
    tags: [...spec.tags],
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    security: spec.auth === 'bearer' ? [{ bearerAuth: [] }] : [],
    ...(parameters.length > 0 && { parameters }),
    ...(requestBody && { requestBody }),
    responses: responsesOf(spec),
  };
}

function pathsOf(specs: readonly RouteSpec[]): OA.PathsObject {
  const paths: OA.PathsObject = {};
  for (const spec of specs) {
    const item: OA.PathItemObject = paths[spec.path] ?? {};
    paths[spec.path] = item;
    if (item[spec.method]) throw new Error(`${spec.method.toUpperCase()} ${spec.path} is declared twice`);
    item[spec.method] = operationOf(spec);
  }
  return paths;
}

const problemResponse = (description: string, headers: Record<string, OA.HeaderObject> = {}): OA.ResponseObject => ({
  description,
  headers,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const integerHeader = (description: string): OA.HeaderObject => ({ description, schema: { type: 'integer' } });

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
  410: ['Gone', problemResponse('SYNC_TOKEN_EXPIRED: the sync token is older than the changes the book remembers; start again without `since`.')],
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
      'A backing service does not answer (`detail` names it), a bounded queue (password hashing, background work, uploads waiting their turn: UPLOADS_BUSY, contact imports waiting theirs) is full or waited on too long, or the server is shutting down.',
      {
        'Retry-After': integerHeader('Seconds to wait before trying again, when known (a full queue).'),
      },
    ),
  ],
  504: ['GatewayTimeout', problemResponse('AVATAR_STORAGE_TIMEOUT: the image store did not answer in time; the current avatar is unchanged.')],
};

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
    contact: { name: 'The Contacts API maintainers' },
    license: { name: 'Proprietary (all rights reserved)', identifier: 'LicenseRef-Proprietary' },
  },
  servers: [{ url: '/', description: 'The server that serves this document.' }],
  tags: [
    { name: 'Auth', description: 'Signup, verification, sessions, password reset.' },
    { name: 'Users', description: 'The signed-in user.' },
    { name: 'Your account', description: 'Self-service: username, password, email, sessions, deletion, export.' },
    { name: 'Contacts', description: "The signed-in user's own contacts (others answer 404)." },
    { name: 'Pages', description: 'Server-rendered HTML pages the links in emails open.' },
    { name: 'Operations', description: 'Liveness, readiness and this documentation.' },
  ],
  paths: pathsOf(ROUTE_SPECS),
  components: {
    schemas: Object.fromEntries(NAMED_SCHEMAS.map((schema) => [schema.$id!, componentOf(schema)])),
    responses: Object.fromEntries(Object.values(PROBLEM_RESPONSES)),
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken from login or refresh.' },
    },
  },
};
