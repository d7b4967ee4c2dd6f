import { FieldErrors } from '../../domain/errors.js';
import type { ContactCardFormat, VCardVersion } from '../ports/contact-card-format.js';
import type { Repositories } from '../ports/unit-of-work.js';

export interface ExportContactsDeps {
  repos: Pick<Repositories, 'contacts'>;
  cards: ContactCardFormat;
}

/** Contacts read from the database at a time: the most an export holds in memory. */
export const EXPORT_BATCH = 500;

/**
 * The caller's whole book as vCard text, one chunk per batch of cards, oldest contact first. The
 * first batch is read before this returns, so an unavailable database fails the request instead
 * of a stream already under way.
 */
export function makeExportContacts(deps: ExportContactsDeps) {
  return async function exportContacts(ownerId: string, input: Record<string, unknown>): Promise<AsyncIterable<string>> {
    const version = validateVersion(input.version);
    const pages = deps.repos.contacts.listAll(ownerId, EXPORT_BATCH)[Symbol.asyncIterator]();
    const first = await pages.next();
    const write = (contacts: Parameters<ContactCardFormat['write']>[0][]) => contacts.map((c) => deps.cards.write(c, version)).join('');
    return (async function* cards() {
      if (first.done) return;
      yield write(first.value);
      for (let page = await pages.next(); !page.done; page = await pages.next()) yield write(page.value);
    })();
  };
}

function validateVersion(value: unknown): VCardVersion {
  if (value === undefined || value === '' || value === '4.0') return '4.0';
  if (value === '3.0') return '3.0';
  const errors = new FieldErrors();
  errors.add('version', 'must be 4.0 or 3.0');
  errors.throwIfAny();
  return '4.0';
}
