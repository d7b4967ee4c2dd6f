import getRawBody from 'raw-body';
import type { Context, Middleware } from 'koa';
import type { UserLimit, UserRateLimiter } from '../../application/ports/user-rate-limiter.js';
import type { AuthenticateDav, DavCaller } from '../../application/use-cases/authenticate-dav.js';
import {
  type DavBook,
  type DavCard,
  DavCardRefused,
  type DavCardVersion,
  type DavChanges,
  DavPreconditionFailed,
  DavUidConflict,
} from '../../application/use-cases/dav-book.js';
import { contactEtag, versionsFromIfMatch } from '../../domain/contact.js';
import { InvalidSyncToken, SyncTokenExpired } from '../../domain/sync.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { rateLimitHeaders, refusalOf } from '../http/middleware/rate-limit.js';
import { addressDataOf, matchesFilter, parseFilter } from './card-filter.js';
import {
  CALENDARSERVER,
  CARDDAV,
  child,
  childrenNamed,
  d,
  DAV,
  DavXmlError,
  document,
  el,
  errorBody,
  escapeXml,
  is,
  MAX_XML_BYTES,
  type PropName,
  parseXml,
  propResponse,
  statusResponse,
  type XmlElement,
} from './xml.js';

export interface DavDeps {
  book: DavBook;
  /** Basic with an app password, or Bearer (useCases.authenticateDav). */
  authenticate: AuthenticateDav;
  /** RATE_LIMIT_DAV_MAX per RATE_LIMIT_DAV_WINDOW_S, per user; none when absent. */
  limit?: UserLimit;
  limiter?: UserRateLimiter;
}

/** Largest card a PUT takes (advertised as max-resource-size). */
export const MAX_CARD_BYTES = 1_048_576;
const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT';
const SYNC_PREFIX = 'urn:x-contacts-sync:';
/** The most changes one sync-collection answer holds (a client's limit may only lower it). */
const SYNC_PAGE = 1000;

type Target =
  | { kind: 'root' }
  | { kind: 'principal'; userId: string }
  | { kind: 'home'; userId: string }
  | { kind: 'book'; userId: string }
  | { kind: 'card'; userId: string; name: string };

/** The resource a /dav/ path names; null when none. */
function targetOf(path: string): Target | null {
  if (path === '/dav' || path === '/dav/') return { kind: 'root' };
  const parts = path.split('/').slice(2);
  if (parts.at(-1) === '') parts.pop();
  let segments: string[];
  try {
    segments = parts.map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
  const [area, userId, book, name, ...rest] = segments;
  if (!userId || rest.length > 0) return null;
  if (area === 'principals' && segments.length === 2) return { kind: 'principal', userId };
  if (area !== 'addressbooks') return null;
  if (book === undefined) return { kind: 'home', userId };
  if (book !== 'contacts') return null;
  if (name === undefined) return { kind: 'book', userId };
  if (name === '' || name.includes('/') || name.length > 255) return null;
  return { kind: 'card', userId, name };
}

const principalHref = (userId: string) => `/dav/principals/${userId}/`;
const homeHref = (userId: string) => `/dav/addressbooks/${userId}/`;
const bookHref = (userId: string) => `/dav/addressbooks/${userId}/contacts/`;
const cardHref = (userId: string, name: string) => `${bookHref(userId)}${encodeURIComponent(name)}`;

function hrefOf(target: Target): string {
  switch (target.kind) {
    case 'root':
      return '/dav/';
    case 'principal':
      return principalHref(target.userId);
    case 'home':
      return homeHref(target.userId);
    case 'book':
      return bookHref(target.userId);
    case 'card':
      return cardHref(target.userId, target.name);
  }
}

/** A card read whole, or as its name and version only (a sync that asks for ETags alone). */
type AnyCard = DavCard | DavCardVersion;
const etagOf = (card: AnyCard) => contactEtag('contact' in card ? card.contact.version : card.version);
const lastWriteOf = (card: AnyCard) => new Date('contact' in card ? card.contact.updatedAt : card.updatedAt).toUTCString();

function answer(ctx: Context, status: number): void {
  ctx.status = status;
}

function notAllowed(ctx: Context): void {
  ctx.set('Allow', ALLOW);
  ctx.status = 405;
}

function answerXml(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'application/xml; charset=utf-8';
  ctx.body = body;
}

function precondition(ctx: Context, status: number, ns: string, name: string): void {
  answerXml(ctx, status, errorBody(ns, name));
}

async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('Content-Length') || undefined });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 413) throw new DavXmlError(413, 'the body is too large');
    throw new DavXmlError(400, 'the body could not be read');
  }
}

async function readXml(ctx: Context): Promise<XmlElement | null> {
  const body = (await readBody(ctx, MAX_XML_BYTES)).toString('utf8');
  if (body.trim() === '') return null;
  return parseXml(body);
}

/** The vCard version a GET's Accept (or an address-data element) asks for. */
function versionAsked(text: string | undefined): '3.0' | '4.0' {
  return text && /version\s*=\s*"?4\.0/i.test(text) ? '4.0' : '3.0';
}

export function davRoutes(deps: DavDeps): Middleware {
  const { book } = deps;

  async function authenticate(ctx: Context): Promise<DavCaller> {
    const limits = deps.limit && deps.limiter ? [deps.limit] : [];
    const caller = await deps.authenticate(ctx.get('Authorization') || undefined, ctx.ip || undefined, limits);
    if (deps.limit && deps.limiter) {
      // A Bearer caller was counted with its session check (one round trip); an app password's is counted here.
      const counted = caller.via === 'bearer' ? caller.decisions : undefined;
      // Null when the limiter's store does not answer: the request goes through uncounted (fail open).
      const decision = counted ? counted.get(deps.limit.name) : (await deps.limiter.take(caller.user.id, [deps.limit]))?.[0];
      if (decision) {
        for (const [name, value] of Object.entries(rateLimitHeaders(decision))) ctx.set(name, value);
        const refusal = refusalOf(decision);
        if (refusal) throw refusal;
      }
    }
    return caller;
  }

  // ---- Properties

  const KNOWN: Record<Target['kind'], PropName[]> = {
    root: [
      { ns: DAV, name: 'current-user-principal' },
      { ns: DAV, name: 'resourcetype' },
      { ns: CARDDAV, name: 'addressbook-home-set' },
      { ns: DAV, name: 'principal-URL' },
    ],
    principal: [
      { ns: DAV, name: 'current-user-principal' },
      { ns: DAV, name: 'principal-URL' },
      { ns: DAV, name: 'resourcetype' },
      { ns: DAV, name: 'displayname' },
      { ns: CARDDAV, name: 'addressbook-home-set' },
    ],
    home: [
      { ns: DAV, name: 'current-user-principal' },
      { ns: DAV, name: 'resourcetype' },
      { ns: DAV, name: 'displayname' },
    ],
    book: [
      { ns: DAV, name: 'current-user-principal' },
      { ns: DAV, name: 'resourcetype' },
      { ns: DAV, name: 'displayname' },
      { ns: CARDDAV, name: 'supported-address-data' },
      { ns: CARDDAV, name: 'max-resource-size' },
      { ns: CALENDARSERVER, name: 'getctag' },
      { ns: DAV, name: 'sync-token' },
      { ns: DAV, name: 'supported-report-set' },
      { ns: DAV, name: 'current-user-privilege-set' },
    ],
    card: [
      { ns: DAV, name: 'resourcetype' },
      { ns: DAV, name: 'getetag' },
      { ns: DAV, name: 'getcontenttype' },
      { ns: DAV, name: 'getlastmodified' },
    ],
  };

  interface PropContext {
    me: string;
    /** The book's CTag and sync token, read once per request when a property needs them. */
    tag: () => Promise<string>;
    syncToken: () => Promise<string>;
  }

  async function propValue(target: Target, prop: PropName, ctx: PropContext, card?: AnyCard, addressData?: XmlElement): Promise<string | null> {
    const key = `${prop.ns}|${prop.name}`;
    switch (key) {
      case `${DAV}|current-user-principal`:
        return target.kind === 'card' ? null : d('href', principalHref(ctx.me));
      case `${DAV}|principal-URL`:
        return target.kind === 'principal' || target.kind === 'root' ? d('href', principalHref(ctx.me)) : null;
      case `${CARDDAV}|addressbook-home-set`:
        return target.kind === 'principal' || target.kind === 'root' ? d('href', homeHref(ctx.me)) : null;
      case `${DAV}|displayname`:
        if (target.kind === 'book') return 'Contacts';
        if (target.kind === 'home') return 'Address books';
        return target.kind === 'principal' ? 'Contacts' : null;
      case `${DAV}|resourcetype`:
        if (target.kind === 'book') return d('collection') + el(CARDDAV, 'addressbook');
        if (target.kind === 'principal') return d('principal');
        return target.kind === 'card' ? '' : d('collection');
      case `${CARDDAV}|supported-address-data`:
        return target.kind === 'book'
          ? '<card:address-data-type content-type="text/vcard" version="3.0"/><card:address-data-type content-type="text/vcard" version="4.0"/>'
          : null;
      case `${CARDDAV}|max-resource-size`:
        return target.kind === 'book' ? String(MAX_CARD_BYTES) : null;
      case `${CALENDARSERVER}|getctag`:
        return target.kind === 'book' ? escapeXml(await ctx.tag()) : null;
      case `${DAV}|sync-token`:
        return target.kind === 'book' ? escapeXml(SYNC_PREFIX + (await ctx.syncToken())) : null;
      case `${DAV}|supported-report-set`:
        return target.kind === 'book'
          ? ['addressbook-multiget', 'addressbook-query']
              .map((r) => d('supported-report', d('report', el(CARDDAV, r))))
              .concat(d('supported-report', d('report', d('sync-collection'))))
              .join('')
          : null;
      case `${DAV}|current-user-privilege-set`:
        return target.kind === 'book' || target.kind === 'card'
          ? ['read', 'write', 'write-content', 'write-properties', 'bind', 'unbind'].map((p) => d('privilege', d(p))).join('')
          : null;
      case `${DAV}|getetag`:
        return card ? escapeXml(etagOf(card)) : null;
      case `${DAV}|getcontenttype`:
        return card ? 'text/vcard; charset=utf-8' : null;
      case `${DAV}|getlastmodified`:
        return card ? lastWriteOf(card) : null;
      case `${CARDDAV}|address-data`:
        return card && 'contact' in card ? escapeXml(await renderCard(card, addressData)) : null;
      default:
        return null;
    }
  }

  async function renderCard(card: DavCard, addressData?: XmlElement): Promise<string> {
    const version = versionAsked(addressData?.attrs.version ? `version=${addressData.attrs.version}` : undefined);
    const text = book.render(card, version, await book.photoOf(card));
    return addressData ? addressDataOf(text, addressData) : text;
  }

  /** Which properties a PROPFIND (or REPORT) asks for: a list, or every known one. */
  function propsAsked(root: XmlElement | null | undefined): { names: (PropName & { element: XmlElement })[] } | 'all' | 'names' {
    if (!root || child(root, DAV, 'allprop')) return 'all';
    if (child(root, DAV, 'propname')) return 'names';
    const prop = child(root, DAV, 'prop');
    return { names: (prop?.children ?? []).map((element) => ({ ns: element.ns, name: element.name, element })) };
  }

  async function responseFor(target: Target, asked: ReturnType<typeof propsAsked>, ctx: PropContext, card?: AnyCard): Promise<string> {
    const href = card ? cardHref(ctx.me, card.name) : hrefOf(target);
    if (asked === 'names')
      return propResponse(
        href,
        KNOWN[target.kind].map((p) => el(p.ns, p.name)),
        [],
      );
    const wanted = asked === 'all' ? KNOWN[target.kind].map((p) => ({ ...p, element: undefined })) : asked.names;
    const found: string[] = [];
    const missing: PropName[] = [];
    for (const prop of wanted) {
      const value = await propValue(target, prop, ctx, card, prop.element);
      if (value === null) missing.push(prop);
      else found.push(el(prop.ns, prop.name, value));
    }
    return propResponse(href, found, missing);
  }

  function propContext(me: string): PropContext {
    let tag: Promise<string> | undefined;
    let syncToken: Promise<string> | undefined;
    return { me, tag: () => (tag ??= book.bookTag(me)), syncToken: () => (syncToken ??= book.currentSyncToken(me)) };
  }

  // ---- Methods

  async function propfind(ctx: Context, target: Target, me: string): Promise<void> {
    const depth = (ctx.get('Depth') || '0').trim().toLowerCase();
    if (depth !== '0' && depth !== '1') return precondition(ctx, 403, DAV, 'propfind-finite-depth');
    const root = await readXml(ctx);
    if (root && !is(root, DAV, 'propfind')) throw new DavXmlError(400, 'the body is not a DAV:propfind');
    const asked = propsAsked(root);
    const pctx = propContext(me);
    const responses: string[] = [];
    if (target.kind === 'card') {
      const card = await book.findCard(me, target.name);
      if (!card) return answer(ctx, 404);
      responses.push(await responseFor(target, asked, pctx, card));
    } else {
      responses.push(await responseFor(target, asked, pctx));
      if (depth === '1') {
        if (target.kind === 'root') responses.push(await responseFor({ kind: 'principal', userId: me }, asked, pctx));
        if (target.kind === 'home') responses.push(await responseFor({ kind: 'book', userId: me }, asked, pctx));
        if (target.kind === 'book') {
          for await (const cards of book.listCards(me)) {
            for (const card of cards) responses.push(await responseFor({ kind: 'card', userId: me, name: card.name }, asked, pctx, card));
          }
        }
      }
    }
    answerXml(ctx, 207, document(DAV, 'multistatus', responses.join('')));
  }

  async function proppatch(ctx: Context, target: Target): Promise<void> {
    const root = await readXml(ctx);
    if (!root || !is(root, DAV, 'propertyupdate')) throw new DavXmlError(400, 'the body is not a DAV:propertyupdate');
    const names = root.children.flatMap((action) => child(action, DAV, 'prop')?.children ?? []);
    const props = names.map((p) => el(p.ns, p.name)).join('');
    answerXml(
      ctx,
      207,
      document(
        DAV,
        'multistatus',
        d('response', d('href', escapeXml(hrefOf(target))) + d('propstat', d('prop', props) + d('status', 'HTTP/1.1 403 Forbidden'))),
      ),
    );
  }

  async function report(ctx: Context, target: Target, me: string): Promise<void> {
    if (target.kind !== 'book') return precondition(ctx, 403, DAV, 'supported-report');
    const root = await readXml(ctx);
    if (!root) throw new DavXmlError(400, 'a REPORT needs a body');
    const asked = propsAsked(root);
    const pctx = propContext(me);
    const cardTarget = (card: AnyCard): Target => ({ kind: 'card', userId: me, name: card.name });
    const responses: string[] = [];

    if (is(root, CARDDAV, 'addressbook-multiget')) {
      const hrefs = childrenNamed(root, DAV, 'href').map((h) => h.text.trim());
      const nameOf = (href: string): string | null => {
        let path = href;
        try {
          path = new URL(href, 'http://dav.invalid').pathname;
        } catch {}
        const hrefTarget = targetOf(path);
        return hrefTarget?.kind === 'card' && hrefTarget.userId === me ? hrefTarget.name : null;
      };
      const names = hrefs.map(nameOf);
      const cards = await book.findCards(
        me,
        names.filter((n): n is string => n !== null),
      );
      for (const [index, href] of hrefs.entries()) {
        const card = names[index] === null ? undefined : cards.get(names[index]!);
        responses.push(card ? await responseFor(cardTarget(card), asked, pctx, card) : statusResponse(href, '404 Not Found'));
      }
    } else if (is(root, CARDDAV, 'addressbook-query')) {
      const filter = parseFilter(child(root, CARDDAV, 'filter'));
      const limitText = child(child(root, CARDDAV, 'limit'), CARDDAV, 'nresults')?.text.trim();
      const limit = limitText && /^\d{1,9}$/.test(limitText) ? Number(limitText) : Number.POSITIVE_INFINITY;
      let truncated = false;
      outer: for await (const cards of book.listCards(me)) {
        for (const card of cards) {
          if (!matchesFilter(filter, book.render(card, '3.0'))) continue;
          if (responses.length >= limit) {
            truncated = true;
            break outer;
          }
          responses.push(await responseFor(cardTarget(card), asked, pctx, card));
        }
      }
      if (truncated) responses.push(statusResponse(bookHref(me), '507 Insufficient Storage'));
    } else if (is(root, DAV, 'sync-collection')) {
      const level = child(root, DAV, 'sync-level')?.text.trim() ?? '1';
      if (level !== '1') return precondition(ctx, 403, DAV, 'supported-sync-level');
      const text = child(root, DAV, 'sync-token')?.text.trim() ?? '';
      const token = text === '' ? null : text.startsWith(SYNC_PREFIX) ? text.slice(SYNC_PREFIX.length) : '!';
      const limitText = child(child(root, DAV, 'limit'), DAV, 'nresults')?.text.trim();
      // One page of the feed per answer, with or without a client's limit (which may only lower it):
      // past it, a 507 and the token to go on from (RFC 6578 §3.6), so no answer holds a whole book.
      const limit = limitText && /^\d{1,9}$/.test(limitText) && Number(limitText) > 0 ? Math.min(Number(limitText), SYNC_PAGE) : SYNC_PAGE;
      // A sync that asks for ETags alone (DAVx⁵'s and iOS's do, then multiget) reads each changed
      // card's version only, not the whole contact.
      const wantsCards = asked !== 'all' && asked !== 'names' && asked.names.some((p) => p.ns === CARDDAV && p.name === 'address-data');
      let page: DavChanges<AnyCard>;
      try {
        page = wantsCards ? await book.changesSince(me, token, limit) : await book.versionsSince(me, token, limit);
      } catch (error) {
        if (error instanceof InvalidSyncToken || error instanceof SyncTokenExpired) return precondition(ctx, 403, DAV, 'valid-sync-token');
        throw error;
      }
      for (const card of page.changed) responses.push(await responseFor(cardTarget(card), asked, pctx, card));
      for (const name of page.removed) responses.push(statusResponse(cardHref(me, name), '404 Not Found'));
      if (page.more) responses.push(statusResponse(bookHref(me), '507 Insufficient Storage'));
      const next = page.next;
      answerXml(ctx, 207, document(DAV, 'multistatus', responses.join('') + d('sync-token', escapeXml(SYNC_PREFIX + next))));
      return;
    } else {
      return precondition(ctx, 403, DAV, 'supported-report');
    }
    answerXml(ctx, 207, document(DAV, 'multistatus', responses.join('')));
  }

  async function get(ctx: Context, target: Target, me: string): Promise<void> {
    if (target.kind !== 'card') {
      ctx.status = 200;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'CardDAV address book; use a CardDAV client.\n';
      return;
    }
    const card = await book.findCard(me, target.name);
    if (!card) return answer(ctx, 404);
    const version = versionAsked(ctx.get('Accept'));
    ctx.status = 200;
    ctx.type = `text/vcard; charset=utf-8${version === '4.0' ? '; version=4.0' : ''}`;
    ctx.set('ETag', etagOf(card));
    ctx.set('Last-Modified', lastWriteOf(card));
    ctx.body = book.render(card, version, await book.photoOf(card));
  }

  async function put(ctx: Context, target: Target, me: string): Promise<void> {
    if (target.kind !== 'card') return notAllowed(ctx);
    const type = ctx.get('Content-Type').toLowerCase();
    if (type && !/^text\/(x-)?vcard\b/.test(type)) return precondition(ctx, 415, CARDDAV, 'supported-address-data');
    const declared = Number(ctx.get('Content-Length'));
    if (declared > MAX_CARD_BYTES) return precondition(ctx, 413, CARDDAV, 'max-resource-size');
    let body: Buffer;
    try {
      body = await readBody(ctx, MAX_CARD_BYTES);
    } catch (error) {
      if (error instanceof DavXmlError && error.status === 413) return precondition(ctx, 413, CARDDAV, 'max-resource-size');
      throw error;
    }
    const ifMatch = ctx.get('If-Match').trim();
    const ifNoneMatch = ctx.get('If-None-Match').trim();
    try {
      const { created, card, changedByServer } = await book.putCard(me, target.name, body, {
        versions: versionsFromIfMatch(ifMatch || undefined),
        mustExist: ifMatch === '*',
        mustNotExist: ifNoneMatch === '*',
      });
      ctx.status = created ? 201 : 204;
      // A card the server changed (its photo, now the contact's, is written back fitted) gets no
      // ETag: the client reads it back (RFC 6352 §6.3.2.3).
      if (!changedByServer) ctx.set('ETag', etagOf(card));
      if (created) ctx.set('Location', cardHref(me, card.name));
    } catch (error) {
      if (error instanceof DavPreconditionFailed) return answer(ctx, 412);
      if (error instanceof DavUidConflict) return precondition(ctx, 409, CARDDAV, 'no-uid-conflict');
      if (error instanceof DavCardRefused) {
        return precondition(ctx, error.precondition === 'supported-address-data' ? 415 : 400, CARDDAV, error.precondition);
      }
      throw error;
    }
  }

  async function remove(ctx: Context, target: Target, me: string): Promise<void> {
    if (target.kind !== 'card') return notAllowed(ctx);
    const ifMatch = ctx.get('If-Match').trim();
    try {
      const deleted = await book.deleteCard(me, target.name, versionsFromIfMatch(ifMatch || undefined));
      ctx.status = deleted ? 204 : 404;
    } catch (error) {
      if (error instanceof DavPreconditionFailed) return answer(ctx, 412);
      throw error;
    }
  }

  return async function carddav(ctx, next) {
    const path = ctx.path;
    if (path === '/.well-known/carddav' || path === '/.well-known/carddav/') {
      ctx.status = 301;
      ctx.redirect('/dav/');
      return;
    }
    if (path !== '/dav' && !path.startsWith('/dav/')) return next();
    ctx.set('DAV', '1, 3, addressbook');
    if (ctx.method === 'OPTIONS' && !ctx.get('Access-Control-Request-Method')) {
      ctx.set('Allow', ALLOW);
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    let caller: DavCaller;
    try {
      caller = await authenticate(ctx);
    } catch (error) {
      if (error instanceof Unauthenticated) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Basic realm="Contacts", charset="UTF-8"');
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'Authentication required.\n';
        return;
      }
      throw error;
    }
    const me = caller.user.id;
    const target = targetOf(path);
    if (!target || (target.kind !== 'root' && target.userId !== me)) return answer(ctx, 404);
    try {
      switch (ctx.method) {
        case 'PROPFIND':
          return await propfind(ctx, target, me);
        case 'PROPPATCH':
          return await proppatch(ctx, target);
        case 'REPORT':
          return await report(ctx, target, me);
        case 'GET':
        case 'HEAD':
          return await get(ctx, target, me);
        case 'PUT':
          return await put(ctx, target, me);
        case 'DELETE':
          return await remove(ctx, target, me);
        default:
          ctx.set('Allow', ALLOW);
          ctx.status = 405;
          return;
      }
    } catch (error) {
      if (error instanceof DavXmlError) {
        ctx.status = error.status;
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = `${error.message}\n`;
        return;
      }
      throw error;
    }
  };
}
