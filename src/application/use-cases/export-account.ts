import { toContactView, type Contact, type ContactView } from '../../domain/contact.js';
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

export interface AccountExport {
  exportedAt: Date;
  user: PublicUser;
  contacts: ContactView[];
  /** The contacts in the trash, each with when it was deleted. */
  trash: (ContactView & { deletedAt: string })[];
  /** The book's labels with how many live contacts carry each. */
  labels: LabelCount[];
  /** The group cards the book received, each as vCard 4.0 naming its members. */
  groups: { label: string; uid: string; vcard: string }[];
  /** Every session stored, ended ones included (with when they expire or were revoked). */
  sessions: (SessionView & { expiresAt: Date; revokedAt: Date | null })[];
  /** Names and dates only: never a secret nor its digest. */
  appPasswords: AppPasswordView[];
}

const EXPORT_BATCH_SIZE = 1000;

/** Everything the service holds about the caller, in the shapes the API shows them: no hash, no token. */
export function makeExportAccount(deps: ExportAccountDeps) {
  return async function exportAccount(caller: { userId: string; sessionId: string }): Promise<AccountExport> {
    const now = deps.clock.now();
    const user = await deps.repos.users.findById(caller.userId);
    if (!user) throw new Unauthenticated();
    const sessions = await deps.repos.sessions.listAllForUser(user.id);
    const appPasswords = await deps.repos.appPasswords.listForUser(user.id);
    const contacts: Contact[] = [];
    for await (const batch of deps.repos.contacts.listAll(user.id, EXPORT_BATCH_SIZE)) contacts.push(...batch);
    const trash: AccountExport['trash'] = [];
    for await (const batch of deps.repos.contacts.listAllTrash(user.id, EXPORT_BATCH_SIZE)) {
      for (const item of batch) trash.push({ ...toContactView(item.contact), deletedAt: item.deletedAt });
    }
    return {
      exportedAt: now,
      user: toPublicUser(user),
      contacts: contacts.map(toContactView),
      trash,
      labels: await deps.repos.contacts.labels(user.id),
      groups: await Promise.all(
        (await deps.repos.groups.list(user.id)).map(async (g) => ({
          label: g.label,
          uid: g.uid,
          vcard: deps.cards.writeGroup(
            g,
            (await deps.repos.groups.members(user.id, g.label)).map((m) => m.uid),
            '4.0',
          ),
        })),
      ),
      sessions: sessions.map((s) => ({ ...toSessionView(s, caller.sessionId), expiresAt: s.expiresAt, revokedAt: s.revokedAt })),
      appPasswords: appPasswords.map(toAppPasswordView),
    };
  };
}
