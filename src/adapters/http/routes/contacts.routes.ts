import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { VersionedContact } from '../../../domain/contact.js';
import { etagOf, ifNoneMatchHolds, versionsFromIfMatch } from '../etag.js';
import { parseBody, requestBody } from '../middleware/body-parser.js';
import { contactQueryParams, integerParam } from '../query-params.js';
import { readSingleFile, uploadedFile, withRawUpload } from '../middleware/multipart.js';
import { type RateLimiters, userLimitsOf } from '../middleware/rate-limit.js';
import { requireAuth, type AuthState } from '../middleware/require-auth.js';
import { HttpProblem } from '../problem.js';
import type { UseCases } from '../use-cases.js';

/** Media types a vCard file is sent as (text/x-vcard and text/directory by older address books). */
const VCARD_TYPES = ['text/vcard', 'text/x-vcard', 'text/directory'];
export const DEFAULT_IMPORT_MAX_BYTES = 5_242_880;

/** One contact as the response body, with its ETag. */
function sendContact(ctx: Context, { contact, version }: VersionedContact): void {
  ctx.set('ETag', etagOf(version));
  ctx.body = contact;
}

const ifMatch = (ctx: Context) => versionsFromIfMatch(ctx.get('If-Match') || undefined);

/** The caller's contact book. Every route authenticates first, then counts against the caller's limit. */
export function contactRoutes(useCases: UseCases, limits: RateLimiters, options: { importMaxBytes?: number } = {}): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/contacts', sensitive: true });
  // Authentication counts the request against the limits that follow it, in the same cache lookup.
  const guard = [requireAuth(useCases.authenticate, userLimitsOf(limits, ['contacts'])), limits.contacts] as const;
  const createGuard = [requireAuth(useCases.authenticate, userLimitsOf(limits, ['contacts', 'contactCreate'])), limits.contacts, limits.contactCreate] as const;
  const owner = (ctx: { state: AuthState }) => ctx.state.caller.user.id;
  const importMaxBytes = options.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  const multipart = readSingleFile('file', importMaxBytes);

  router.get('/', ...guard, async (ctx) => {
    ctx.body = await useCases.listContacts(owner(ctx), contactQueryParams(ctx.query));
  });

  // Declared before '/:id' so that they are never read as a contact id.
  router.get('/birthdays', ...guard, async (ctx) => {
    ctx.body = await useCases.upcomingBirthdays(owner(ctx), { days: integerParam(ctx.query.days) });
  });

  router.get('/export', ...guard, async (ctx) => {
    const cards = await useCases.exportContacts(owner(ctx), ctx.query);
    ctx.set('Content-Type', 'text/vcard; charset=utf-8');
    ctx.set('Content-Disposition', 'attachment; filename="contacts.vcf"');
    ctx.body = Readable.from(cards);
  });

  // An import counts as one creation, however many cards it holds.
  router.post('/import', ...createGuard, async (ctx) => {
    const importFile = async (file: Uint8Array | undefined) => {
      if (file === undefined || file.length === 0) throw new HttpProblem(422, 'NOT_A_VCARD', 'The request holds no vCard file.');
      return useCases.importContacts(owner(ctx), file);
    };
    if (ctx.is('multipart/form-data')) {
      await multipart(ctx, async () => {
        ctx.body = await importFile(uploadedFile(ctx));
      });
    } else if (ctx.is(...VCARD_TYPES)) {
      ctx.body = await withRawUpload(ctx, importMaxBytes, importFile);
    } else {
      throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send a vCard file as text/vcard, or as multipart/form-data in the field "file".');
    }
  });

  router.post('/', ...createGuard, parseBody(), async (ctx) => {
    const created = await useCases.createContact(owner(ctx), requestBody(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/contacts/${created.contact.id}`);
    sendContact(ctx, created);
  });

  router.get('/:id', ...guard, async (ctx) => {
    const found = await useCases.getContact(owner(ctx), ctx.params.id!);
    sendContact(ctx, found);
    if (ifNoneMatchHolds(ctx.get('If-None-Match') || undefined, etagOf(found.version))) {
      ctx.status = 304;
      ctx.body = null;
    }
  });

  router.put('/:id', ...guard, parseBody(), async (ctx) => {
    sendContact(ctx, await useCases.replaceContact(owner(ctx), ctx.params.id!, requestBody(ctx), ifMatch(ctx)));
  });

  router.patch('/:id', ...guard, parseBody(), async (ctx) => {
    sendContact(ctx, await useCases.patchContact(owner(ctx), ctx.params.id!, requestBody(ctx), ifMatch(ctx)));
  });

  router.delete('/:id', ...guard, async (ctx) => {
    await useCases.deleteContact(owner(ctx), ctx.params.id!, ifMatch(ctx));
    ctx.status = 204;
  });

  return router;
}
