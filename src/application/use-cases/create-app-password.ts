import { APP_PASSWORD_NAME_MAX, hashAppPassword, canonicalAppPassword, newAppPasswordSecret } from '../../domain/app-password.js';
import { FieldErrors } from '../../domain/errors.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { checkText, requiredString } from '../../domain/validation.js';
import { APP_PASSWORDS_MAX } from '../ports/app-password-repository.js';
import type { Clock } from '../ports/clock.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { checkCurrentPassword, type PasswordCheckDeps } from '../shared/current-password.js';

export interface CreateAppPasswordDeps extends PasswordCheckDeps {
  repos: Pick<Repositories, 'users' | 'appPasswords'>;
  clock: Clock;
}

export interface CreateAppPasswordInput {
  name?: unknown;
  currentPassword?: unknown;
  /** The caller's address, for the failed-login count. */
  clientIp?: string;
}

/** A new app password, with its secret: the only time the secret is ever shown. */
export interface CreatedAppPassword {
  id: string;
  name: string;
  password: string;
  createdAt: Date;
}

/**
 * Makes an app password for one device's CardDAV sync, knowing the account password (checked as a
 * login attempt: a wrong one is 403 and counts as a failed login). At most APP_PASSWORDS_MAX per
 * account. Only the secret's digest is stored.
 */
export function makeCreateAppPassword(deps: CreateAppPasswordDeps) {
  return async function createAppPassword(userId: string, input: CreateAppPasswordInput): Promise<CreatedAppPassword> {
    const errors = new FieldErrors();
    const name = checkText(errors, 'name', input.name, APP_PASSWORD_NAME_MAX);
    const currentPassword = requiredString(errors, 'currentPassword', input.currentPassword);
    errors.throwIfAny();

    const user = await deps.repos.users.findById(userId);
    if (!user) throw new Unauthenticated();
    await checkCurrentPassword(deps, user, currentPassword!, input.clientIp);

    const password = newAppPasswordSecret();
    const created = await deps.repos.appPasswords.create(
      { userId: user.id, name: name!, secretHash: hashAppPassword(canonicalAppPassword(password)!), createdAt: deps.clock.now() },
      APP_PASSWORDS_MAX,
    );
    if (!created) {
      const full = new FieldErrors();
      full.add('appPasswords', `at most ${APP_PASSWORDS_MAX} per account; revoke one first`);
      full.throwIfAny();
    }
    return { id: created!.id, name: created!.name, password, createdAt: created!.createdAt };
  };
}
