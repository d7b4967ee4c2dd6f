import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import type * as OA from 'openapi3-ts/oas31';
import { etagOf, ifNoneMatchHolds, versionsFromIfMatch } from '../etag.js';
import { readSingleFile, uploadedFile, withRawUpload } from '../middleware/multipart.js';
import type { RateLimiters } from '../middleware/rate-limit.js';
import type { AuthState } from '../middleware/require-auth.js';
import { HttpProblem } from '../problem.js';
import { contactQueryParams, integerParam } from '../query-params.js';
import { type BoundRoute, implement, registerRoutes, route } from '../route.js';
import {
  BirthdayList,
  BirthdayWindow,
  Contact,
  ContactId,
  ContactInput,
  ContactOrPart,
  ContactPage,
  ContactPatch,
  ContactProjection,
  ContactSearch,
  ExportFormat,
  ImportReport,
  VCardUpload,
} from '../schemas/contacts.js';
import { ref } from '../schemas/schema.js';
import type { UseCases } from '../../../application/use-cases.js';

/** Media types a vCard file is sent as (text/x-vcard and text/directory by older address books). */
const VCARD_TYPES = ['text/vcard', 'text/x-vcard', 'text/directory'];
/** Media types a CSV export is sent as (Excel and some browsers name it application/vnd.ms-excel). */
const CSV_TYPES = ['text/csv', 'application/csv', 'application/vnd.ms-excel'];
export const DEFAULT_IMPORT_MAX_BYTES = 5_242_880;

type ContactFileFormat = 'vcard' | 'csv';

/** A multipart part is CSV when its own type or its file name says so; anything else is read as vCard. */
function formatOfPart(ctx: Context): ContactFileFormat {
  const part = (ctx.request as { file?: { mimetype?: string; originalname?: string } }).file;
  const type = (part?.mimetype ?? '').split(';')[0]!.trim().toLowerCase();
  return CSV_TYPES.includes(type) || /\.csv$/i.test(part?.originalname ?? '') ? 'csv' : 'vcard';
}

const etagHeader: OA.HeaderObject = {
  description: 'Strong entity tag of the contact; changes with every change. Send it back in If-None-Match or If-Match.',
  schema: { type: 'string', examples: ['"3"'] },
};
const ifMatch: OA.ParameterObject = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'An ETag of this contact (or several, comma-separated, or `*`): the write happens only while the contact is still at it, else 412 and nothing changes.',
  schema: { type: 'string' },
};
const contactOk = (description: string) => ({ description, schema: Contact, headers: { ETag: etagHeader } });
const contactWrite = [400, 401, 404, 409, 412, 413, 415, 422, 429, 503] as const;

/** The caller's contact book. Every route authenticates first, then counts against the caller's limit; creating counts twice. */
export const contactRouteSpecs = {
  list: route({
    method: 'get',
    path: '/api/contacts',
    operationId: 'listContacts',
    summary: 'Search and page through contacts',
    description:
      'Your contacts, filtered by every parameter given (`q` across names, organization, emails, labels and phone digits, case- and accent-insensitive; ' +
      '`label`; `firstName`, `lastName`, `email`), sorted by `sort`, one page at a time; `fields` keeps only the fields named (and `id`).',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    query: ContactSearch,
    responses: { 200: { description: 'A page of contacts.', schema: ContactPage } },
    problems: [401, 422, 429, 503],
  }),
  create: route({
    method: 'post',
    path: '/api/contacts',
    operationId: 'createContact',
    summary: 'Add a contact',
    description:
      'Stores a new contact in your book; its address is in `Location`. An email another contact of your book holds is 409 CONTACT_EMAIL_TAKEN. ' +
      'Limited per user (`RATE_LIMIT_CONTACT_CREATE_MAX`).',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts', 'contactCreate'],
    body: { json: ContactInput },
    responses: {
      201: {
        description: 'The new contact.',
        schema: Contact,
        headers: { ETag: etagHeader, Location: { description: 'Its address.', schema: { type: 'string' } } },
      },
    },
    problems: [400, 401, 409, 413, 415, 422, 429, 503],
  }),
  export: route({
    method: 'get',
    path: '/api/contacts/export',
    operationId: 'exportContacts',
    summary: 'The whole book as a vCard file',
    description:
      'Every contact as one card: vCard 4.0 (RFC 6350) by default, 3.0 (RFC 2426) with `version=3.0`. Each card has the `UID` it came with ' +
      '(import, CardDAV), else the contact id, every field the contact has, its photo inline (`photos=false` leaves photos out), and every ' +
      'property of the card it came from that the model has no field for. Lines end in CRLF and are folded at 75 octets. Streamed: a large ' +
      'book is never held in memory.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    query: ExportFormat,
    responses: {
      200: {
        description: 'The vCard file (empty for an empty book).',
        headers: { 'Content-Disposition': { description: '`attachment; filename="contacts.vcf"`', schema: { type: 'string' } } },
        content: { 'text/vcard; charset=utf-8': { schema: { type: 'string' } } },
      },
    },
    problems: [401, 422, 429, 503],
  }),
  import: route({
    method: 'post',
    path: '/api/contacts/import',
    operationId: 'importContacts',
    summary: 'Add the contacts of a vCard or CSV file',
    description:
      'vCard 2.1, 3.0 or 4.0 as address books export them (folded lines, quoted-printable, CHARSET, grouped properties, several cards), ' +
      'or CSV (`text/csv`) as Google Contacts and Outlook export it. Each card or row becomes one contact with every field it has, its photo ' +
      'and the card’s other properties kept. A card with neither a name nor an organization, with an invalid field, or whose email is already ' +
      'in the book (the reason names that contact) or earlier in the file is skipped and reported; the others are stored in one transaction. ' +
      'Counts as one creation for RATE_LIMIT_CONTACT_CREATE_MAX. vCard is also accepted as `text/x-vcard` and `text/directory`; in ' +
      '`multipart/form-data`, a file sent as `text/csv` or named `*.csv` is read as CSV. Over CONTACTS_IMPORT_MAX_BYTES, or over 50,000 ' +
      'cards (TOO_MANY_CARDS), is 413; a file that is neither is 415 or 422.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts', 'contactCreate'],
    upload: {
      'text/vcard': { schema: { type: 'string' } },
      'text/csv': { schema: { type: 'string' } },
      'multipart/form-data': { schema: ref(VCardUpload) },
    },
    responses: { 200: { description: 'What was imported and what was skipped.', schema: ImportReport } },
    problems: [400, 401, 408, 413, 415, 422, 429, 503],
  }),
  birthdays: route({
    method: 'get',
    path: '/api/contacts/birthdays',
    operationId: 'upcomingBirthdays',
    summary: 'Birthdays from today through today + days (UTC)',
    description: 'Across the new year; 29 February birthdays fall on 28 February in common years.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    query: BirthdayWindow,
    responses: { 200: { description: 'Soonest first.', schema: BirthdayList } },
    problems: [401, 422, 429, 503],
  }),
  get: route({
    method: 'get',
    path: '/api/contacts/{id}',
    operationId: 'getContact',
    summary: 'One contact',
    description: 'The contact with its ETag (`fields` keeps only the fields named, and `id`); with `If-None-Match` holding its current tag, 304 and no body.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: ContactId,
    query: ContactProjection,
    headers: [
      {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: 'ETags the client holds (or `*`): 304 while one of them is still current.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      200: { ...contactOk('The contact (with `fields=`, only the fields named and `id`).'), schema: ContactOrPart },
      304: { description: 'Not modified: the If-None-Match tag is current. No body.', headers: { ETag: etagHeader } },
    },
    problems: [401, 404, 422, 429, 503],
  }),
  replace: route({
    method: 'put',
    path: '/api/contacts/{id}',
    operationId: 'replaceContact',
    summary: 'Replace a contact',
    description:
      'Every field as sent; a field left out is cleared (the photo and the properties kept from the card it came from stay). ' +
      'Gaining an email another contact of your book holds is 409 CONTACT_EMAIL_TAKEN. With `If-Match`, only while the contact is still at that version.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: ContactId,
    headers: [ifMatch],
    body: { json: ContactInput },
    responses: { 200: contactOk('The contact.') },
    problems: contactWrite,
  }),
  update: route({
    method: 'patch',
    path: '/api/contacts/{id}',
    operationId: 'updateContact',
    summary: 'Change some fields of a contact',
    description:
      'Only the fields given change: `null` clears an optional field, `[]` empties a list; `email`/`phone` act on the first entries. ' +
      'Gaining an email another contact of your book holds is 409 CONTACT_EMAIL_TAKEN; a change that adds no email never is. ' +
      'With `If-Match`, only while the contact is still at that version.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: ContactId,
    headers: [ifMatch],
    body: { json: ContactPatch },
    responses: { 200: contactOk('The contact.') },
    problems: contactWrite,
  }),
  delete: route({
    method: 'delete',
    path: '/api/contacts/{id}',
    operationId: 'deleteContact',
    summary: 'Delete a contact',
    description:
      'Moves the contact to the trash (restorable for CONTACTS_TRASH_DAYS, then purged). With `If-Match`, only while the contact is still at that version.',
    tags: ['Contacts'],
    auth: 'bearer',
    limits: ['contacts'],
    params: ContactId,
    headers: [ifMatch],
    responses: { 204: { description: 'Deleted.' } },
    problems: [401, 404, 412, 429, 503],
  }),
};

/** One contact as the response body, with its ETag. */
function sendContact(ctx: Context, { contact, version }: { contact: unknown; version: number }): void {
  ctx.set('ETag', etagOf(version));
  ctx.body = contact;
}

const ifMatchOf = (ctx: Context) => versionsFromIfMatch(ctx.get('If-Match') || undefined);

export interface ContactRoutesOptions {
  importMaxBytes?: number;
  /**
   * Other families' routes under /api/contacts (photo, duplicates, merge…): one prefix reaches one
   * router (routeByPrefix), so they are registered on this one, before its own, so that a fixed
   * path such as `/api/contacts/duplicates` wins over `/api/contacts/{id}`.
   */
  more?: readonly BoundRoute<AuthState>[];
}

export function contactRoutes(useCases: UseCases, limits: RateLimiters, options: ContactRoutesOptions = {}): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/contacts', sensitive: true });
  const owner = (ctx: { state: AuthState }) => ctx.state.caller.user.id;
  const importMaxBytes = options.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  const multipart = readSingleFile('file', importMaxBytes);

  // Declared in this order so that '/birthdays', '/export' and '/import' are never read as a contact id.
  const routes = implement<AuthState, typeof contactRouteSpecs>(contactRouteSpecs, {
    list: async (ctx) => {
      ctx.body = await useCases.listContacts(owner(ctx), contactQueryParams(ctx.query));
    },
    create: async (ctx, { body }) => {
      const created = await useCases.createContact(owner(ctx), body);
      ctx.status = 201;
      ctx.set('Location', `/api/contacts/${created.contact.id}`);
      sendContact(ctx, created);
    },
    export: async (ctx) => {
      const cards = await useCases.exportContacts(owner(ctx), ctx.query);
      ctx.set('Content-Type', 'text/vcard; charset=utf-8');
      ctx.set('Content-Disposition', 'attachment; filename="contacts.vcf"');
      ctx.body = Readable.from(cards);
    },
    // An import counts as one creation, however many cards it holds.
    import: async (ctx) => {
      const importFile = async (file: Uint8Array | undefined, format: ContactFileFormat) => {
        if (file === undefined || file.length === 0) throw new HttpProblem(422, 'NOT_A_VCARD', 'The request holds no vCard or CSV file.');
        return useCases.importContacts(owner(ctx), file, format);
      };
      if (ctx.is('multipart/form-data')) {
        await multipart(ctx, async () => {
          ctx.body = await importFile(uploadedFile(ctx), formatOfPart(ctx));
        });
      } else if (ctx.is(...VCARD_TYPES)) {
        ctx.body = await withRawUpload(ctx, importMaxBytes, (file) => importFile(file, 'vcard'));
      } else if (ctx.is(...CSV_TYPES)) {
        ctx.body = await withRawUpload(ctx, importMaxBytes, (file) => importFile(file, 'csv'));
      } else {
        throw new HttpProblem(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'Send a vCard file as text/vcard, a CSV file as text/csv, or either as multipart/form-data in the field "file".',
        );
      }
    },
    birthdays: async (ctx, { query }) => {
      ctx.body = await useCases.upcomingBirthdays(owner(ctx), { days: integerParam(query.days) });
    },
    get: async (ctx, { params, query }) => {
      const found = await useCases.getContact(owner(ctx), params.id, query.fields);
      sendContact(ctx, found);
      if (ifNoneMatchHolds(ctx.get('If-None-Match') || undefined, etagOf(found.version))) {
        ctx.status = 304;
        ctx.body = null;
      }
    },
    replace: async (ctx, { params, body }) => {
      sendContact(ctx, await useCases.replaceContact(owner(ctx), params.id, body, ifMatchOf(ctx)));
    },
    update: async (ctx, { params, body }) => {
      sendContact(ctx, await useCases.patchContact(owner(ctx), params.id, body, ifMatchOf(ctx)));
    },
    delete: async (ctx, { params }) => {
      await useCases.deleteContact(owner(ctx), params.id, ifMatchOf(ctx));
      ctx.status = 204;
    },
  });
  return registerRoutes(router, [...(options.more ?? []), ...routes], { authenticate: useCases.authenticate, limits });
}
