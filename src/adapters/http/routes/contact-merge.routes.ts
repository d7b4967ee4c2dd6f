import type { Context } from 'koa';
import type * as OA from 'openapi3-ts/oas31';
import { etagOf, versionsFromIfMatch } from '../etag.js';
import type { AuthState } from '../middleware/require-auth.js';
import { type BoundRoute, implement, route } from '../route.js';
import { Contact, ContactId } from '../schemas/contacts.js';
import { DuplicateGroups, MergeRequest } from '../schemas/duplicates.js';
import type { UseCases } from '../../../application/use-cases.js';

const ifMatch: OA.ParameterObject = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'An ETag of the contact kept (or several, comma-separated, or `*`): the merge happens only while it is still at it, else 412 and nothing changes.',
  schema: { type: 'string' },
};

/** Contacts that look like one person, and folding them into one. Both spend the caller's contacts limit. */
export const contactMergeRouteSpecs = {
  duplicates: route({
    method: 'get',
    path: '/api/contacts/duplicates',
    operationId: 'findDuplicateContacts',
    summary: 'Contacts that look like one person',
    description:
      'Groups of contacts that share an email (compared case-insensitively), a phone (the same number whatever its formatting; one written with and ' +
      'without its country code or trunk prefix matches, as numbers are compared by their last nine digits, extension left out) or the same full ' +
      'name (first, middle and last, case- and accent-insensitive; contacts without a name never match). Links are transitive, so a contact is in ' +
      'at most one group; the group’s `reason` is its strongest link (email, then phone, then name).',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    responses: { 200: { description: 'The groups (none for a book without duplicates).', schema: DuplicateGroups } },
    problems: [401, 429, 503],
  }),
  merge: route({
    method: 'post',
    path: '/api/contacts/{id}/merge',
    operationId: 'mergeContacts',
    summary: 'Fold contacts into this one',
    description:
      'This contact keeps its own values and fills each empty field (names, organization, department, job title, birthday, anniversary, notes, ' +
      'photo) from the contacts of `ids` in their order; emails, phones, addresses, URLs and labels are united without repeats (the same email ' +
      'case-insensitively, the same phone digits, the same address or URL, the same label case-insensitively), its own first, and a list past its ' +
      'limit (20 entries, 50 labels) keeps its first ones. The contacts of `ids` then go to the trash with their own vCard properties and ' +
      'photos (the one this contact took moves here). All or nothing: 404 if an id is not in your book, 422 if `ids` is empty, names this contact, names one twice or ' +
      'holds more than 50. A merge may leave this contact with an email another contact holds; it is never refused for it.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: ContactId,
    headers: [ifMatch],
    body: { json: MergeRequest },
    responses: {
      200: {
        description: 'The merged contact.',
        schema: Contact,
        headers: { ETag: { description: 'Its new strong entity tag.', schema: { type: 'string', examples: ['"5"'] } } },
      },
    },
    problems: [400, 401, 404, 412, 413, 415, 422, 429, 503],
  }),
};

/**
 * The routes, for the contacts family to register before its own (contactRoutes' `more`): one
 * prefix reaches one router, and `/api/contacts/duplicates` must win over `/api/contacts/{id}`.
 */
export function contactMergeRoutes(useCases: UseCases): BoundRoute<AuthState>[] {
  const owner = (ctx: { state: AuthState }) => ctx.state.caller.user.id;
  return implement<AuthState, typeof contactMergeRouteSpecs>(contactMergeRouteSpecs, {
    duplicates: async (ctx) => {
      ctx.body = await useCases.findDuplicates(owner(ctx));
    },
    merge: async (ctx, { params, body }) => {
      const merged = await useCases.mergeContacts(owner(ctx), params.id, body, versionsFromIfMatch((ctx as Context).get('If-Match') || undefined));
      ctx.set('ETag', etagOf(merged.version));
      ctx.body = merged.contact;
    },
  });
}
