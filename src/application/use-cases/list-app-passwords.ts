import type { AppPassword } from '../ports/app-password-repository.js';
import type { Repositories } from '../ports/unit-of-work.js';

/** An app password as its owner sees it: never the secret (nor its digest). */
export interface AppPasswordView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export function toAppPasswordView(entry: AppPassword): AppPasswordView {
  return { id: entry.id, name: entry.name, createdAt: entry.createdAt, lastUsedAt: entry.lastUsedAt };
}

export interface ListAppPasswordsDeps {
  repos: Pick<Repositories, 'appPasswords'>;
}

/** The caller's app passwords, newest first. */
export function makeListAppPasswords(deps: ListAppPasswordsDeps) {
  return async function listAppPasswords(userId: string): Promise<{ items: AppPasswordView[] }> {
    return { items: (await deps.repos.appPasswords.listForUser(userId)).map(toAppPasswordView) };
  };
}
