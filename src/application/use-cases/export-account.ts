import { type ContactView, labelKey, toContactView } from '../../domain/contact.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { toPublicUser, type PublicUser } from '../../domain/user.js';
import type { Clock } from '../ports/clock.js';
import type { ContactCardFormat } from '../ports/contact-card-format.js';
import type { LabelCount } from '../ports/contact-repository.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { toSessionView, type SessionView } from '../shared/session-view.js';
import { toAppPasswordView, type AppPasswordView } from './list-app-passwords.js';

export interface ExportAccountDeps {
  repos: Pick<Repositories, 'users' | 'contacts' | 'groups' | 'sessions' | 'appPasswords'>;
  clock: Clock;
  /** Writes the group cards. */
  cards: Pick<ContactCardFormat, 'writeGroup'>;
}

/**
 * The account's export, its fields in the order they are written. The book and the trash are read
 * a batch at a time while they are consumed (once only), so that a book of any size is exported in
 * bounded memory; the rest is small and read at once.
 */
export interface AccountExport {
  exportedAt: Date;
  user: PublicUser;
  contacts: AsyncIterable<ContactView>;
  /** The contacts in the trash, each with when it was deleted. */
  trash: AsyncIterable<ContactView & { deletedAt: string }>;
  /** The book's labels with how many live contacts carry each. */
  labels: LabelCount[];
  /** The group cards the book received, each as vCard 4.0 naming its members. */
  groups: { label: string; uid: string; vcard: string }[];
  /** Every session stored, ended ones included (with when they expire or were revoked). */
  sessions: (SessionView & { expiresAt: Date; revokedAt: Date | null })[];
  /** Names and dates only: never a secret nor its digest. */
  appPasswords: AppPasswordView[];
}

/** Contacts read from the database at a time: the most of the book the export holds in memory. */
export const ACCOUNT_EXPORT_BATCH = 500;

/**
 * Everything the service holds about the caller, in the shapes the API shows them: no hash, no
 * token. The first batch of the book is read before this returns, so an unavailable database
 * fails the request rather than an answer already under way.
 */
export function makeExportAccount(deps: ExportAccountDeps) {
  return async function exportAccount(caller: { userId: string; sessionId: string }): Promise<AccountExport> {
    const now = deps.clock.now();
    const user = await deps.repos.users.findById(caller.userId);
    if (!user) throw new Unauthenticated();
    const sessions = await deps.repos.sessions.listAllForUser(user.id);
    const appPasswords = await deps.repos.appPasswords.listForUser(user.id);
    const labels = await deps.repos.contacts.labels(user.id);
    const contacts = await readAhead(deps.repos.contacts.listAll(user.id, ACCOUNT_EXPORT_BATCH));
    return {
      exportedAt: now,
      user: toPublicUser(user),
      contacts: views(contacts, toContactView),
      trash: views(deps.repos.contacts.listAllTrash(user.id, ACCOUNT_EXPORT_BATCH), (item) => ({ ...toContactView(item.contact), deletedAt: item.deletedAt })),
      labels,
      groups: await groupCards(deps, user.id),
      sessions: sessions.map((s) => ({ ...toSessionView(s, caller.sessionId), expiresAt: s.expiresAt, revokedAt: s.revokedAt })),
      appPasswords: appPasswords.map(toAppPasswordView),
    };
  };
}

/** The group cards as vCard 4.0, their members read at once. */
async function groupCards(deps: ExportAccountDeps, ownerId: string): Promise<AccountExport['groups']> {
  const groups = await deps.repos.groups.list(ownerId);
  const members = await deps.repos.groups.membersOf(
    ownerId,
    groups.map((g) => g.label),
  );
  return groups.map((g) => ({
    label: g.label,
    uid: g.uid,
    vcard: deps.cards.writeGroup(
      g,
      (members.get(labelKey(g.label)) ?? []).map((m) => m.uid),
      '4.0',
    ),
  }));
}

async function* views<T, V>(batches: AsyncIterable<T[]>, view: (item: T) => V): AsyncIterable<V> {
  for await (const batch of batches) for (const item of batch) yield view(item);
}

/** The batches with the first one already read. */
async function readAhead<T>(batches: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
}
