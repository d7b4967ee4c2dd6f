import type Router from '@koa/router';
import type { Context } from 'koa';
import type * as OA from 'openapi3-ts/oas31';
import type { VersionedContact } from '../../../domain/contact.js';
import { PHOTO_FIELD, PHOTO_STORED_MAX_SIDE } from '../../../domain/contact-photo.js';
import { etagOf, versionsFromIfMatch } from '../etag.js';
import { readSingleFile, uploadedFile, withRawUpload } from '../middleware/multipart.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { AuthState } from '../middleware/require-auth.js';
import { HttpProblem } from '../problem.js';
import { implement, registerRoutes, route } from '../route.js';
import { Contact, ContactId } from '../schemas/contacts.js';
import type { UseCases } from '../../../application/use-cases.js';

export const DEFAULT_CONTACT_PHOTO_MAX_BYTES = 5_242_880;

const ifMatch: OA.ParameterObject = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'An ETag of this contact (or several, comma-separated, or `*`): the change happens only while the contact is still at it, else 412.',
  schema: { type: 'string' },
};
const etagHeader: OA.HeaderObject = { description: 'The contact’s new strong entity tag.', schema: { type: 'string', examples: ['"4"'] } };
const binary = { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } as const;

/**
 * A contact's photo. Both routes spend the caller's contacts limit and the account budget
 * (`RATE_LIMIT_ACCOUNT_MAX`, with avatar uploads), counted before the upload is read; the body is
 * read under the process's upload budget, like an avatar.
 */
export const contactPhotoRouteSpecs = {
  setContactPhoto: route({
    method: 'put',
    path: '/api/contacts/{id}/photo',
    operationId: 'setContactPhoto',
    summary: 'Give a contact a photo',
    description:
      `The image as the body with its \`image/*\` type, or as \`multipart/form-data\` in the field \`${PHOTO_FIELD}\`. PNG, JPEG, WebP or GIF, judged by content ` +
      `(anything else is 415); at most CONTACT_PHOTO_MAX_BYTES (413). It is stored at most ${PHOTO_STORED_MAX_SIDE}×${PHOTO_STORED_MAX_SIDE} (aspect kept; the first frame of an animation), ` +
      're-encoded as JPEG (PNG when it has transparency) with none of its metadata (EXIF, GPS, ICC, comments), under an unguessable `photoUrl`; ' +
      'the photo it replaces leaves the store. An image whose header declares more than 50 megapixels is refused (422) before it is decoded. ' +
      'With `If-Match`, only while the contact is still at that version (412). ' +
      'Limited per user with avatar uploads (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`), counted before the upload is read; ' +
      'past the memory uploads share, 503 UPLOADS_BUSY with Retry-After; a body that stops for 10 s, or arrives slower than 64 KiB/s after the first 10 s, is 408.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts', 'account'],
    params: ContactId,
    headers: [ifMatch],
    upload: {
      'image/*': binary,
      'multipart/form-data': {
        schema: { type: 'object', properties: { [PHOTO_FIELD]: binary.schema }, required: [PHOTO_FIELD] },
      },
    },
    responses: { 200: { description: 'The contact with its new photoUrl.', schema: Contact, headers: { ETag: etagHeader } } },
    problems: [400, 401, 404, 408, 412, 413, 415, 422, 429, 502, 503, 504],
  }),
  removeContactPhoto: route({
    method: 'delete',
    path: '/api/contacts/{id}/photo',
    operationId: 'removeContactPhoto',
    summary: 'Take a contact’s photo away',
    description:
      'The photo leaves the contact and the store (a contact without one is left as it is). With `If-Match`, only while the contact is still at that version. ' +
      'Limited per user with avatar uploads (`RATE_LIMIT_ACCOUNT_MAX`).',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts', 'account'],
    params: ContactId,
    headers: [ifMatch],
    responses: { 204: { description: 'The contact has no photo.' } },
    problems: [401, 404, 412, 429, 503],
  }),
};

function sendContact(ctx: Context, { contact, version }: VersionedContact): void {
  ctx.set('ETag', etagOf(version));
  ctx.body = contact;
}

/**
 * Adds the photo routes to the contacts family's router (they live under its prefix, and a request
 * reaches one family only).
 */
export function contactPhotoRoutes(router: Router<AuthState>, useCases: UseCases, limits: RateLimiters, options: { photoMaxBytes: number }): Router<AuthState> {
  const owner = (ctx: { state: AuthState }) => ctx.state.caller.user.id;
  // Authentication and the limits come first (registerRoutes), so a refused upload is never read.
  const multipart = readSingleFile(PHOTO_FIELD, options.photoMaxBytes);

  const routes = implement<AuthState, typeof contactPhotoRouteSpecs>(contactPhotoRouteSpecs, {
    setContactPhoto: async (ctx, { params }) => {
      const expectedVersions = versionsFromIfMatch(ctx.get('If-Match') || undefined);
      const setPhoto = (image: Uint8Array | undefined) => useCases.setContactPhoto(owner(ctx), params.id, { image, expectedVersions });
      const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || ctx.get('Transfer-Encoding') !== '';
      if (!hasBody) {
        sendContact(ctx, await setPhoto(undefined));
      } else if (ctx.is('multipart/form-data')) {
        await multipart(ctx, async () => {
          sendContact(ctx, await setPhoto(uploadedFile(ctx)));
        });
      } else if (ctx.is('image/*')) {
        if ((ctx.get('Content-Encoding') || 'identity').trim().toLowerCase() !== 'identity') {
          throw new HttpProblem(415, 'UNSUPPORTED_CONTENT_ENCODING', 'Send the photo uncompressed.', { 'Accept-Encoding': 'identity' });
        }
        sendContact(ctx, await withRawUpload(ctx, options.photoMaxBytes, setPhoto));
      } else {
        throw new HttpProblem(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `Send the photo as the body with its image/* type, or as multipart/form-data in the field "${PHOTO_FIELD}".`,
        );
      }
    },
    removeContactPhoto: async (ctx, { params }) => {
      await useCases.removeContactPhoto(owner(ctx), params.id, versionsFromIfMatch(ctx.get('If-Match') || undefined));
      ctx.status = 204;
    },
  });
  return registerRoutes(router, routes, { authenticate: useCases.authenticate, limits });
}
