import type { AppPasswordRepository } from './app-password-repository.js';
import type { ContactGroupRepository } from './contact-group-repository.js';
import type { ContactRepository } from './contact-repository.js';
import type { DavResourceRepository } from './dav-resource-repository.js';
import type { OneTimeTokenRepository } from './one-time-token-repository.js';
import type { OutboxRepository } from './outbox-repository.js';
import type { SessionRepository } from './session-repository.js';
import type { UserRepository } from './user-repository.js';

export interface Repositories {
  users: UserRepository;
  sessions: SessionRepository;
  tokens: OneTimeTokenRepository;
  contacts: ContactRepository;
  /** CardDAV's app passwords (only their digests). */
  appPasswords: AppPasswordRepository;
  /** CardDAV's resource names and UIDs of cards PUT over DAV (written with their contact). */
  davResources: DavResourceRepository;
  /** The group cards the book received (a label is a group). */
  groups: ContactGroupRepository;

  /** Emails to send once the transaction commits; a use-case enqueues instead of sending. */
  outbox: OutboxRepository;
}

/** Runs work against the repositories in one transaction: all of it is stored, or none. */
export interface UnitOfWork {
  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}
