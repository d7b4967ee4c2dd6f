import type { AvatarStorage } from '../application/ports/avatar-storage.js';
import type { BackgroundTasks } from '../application/ports/background-tasks.js';
import type { Clock } from '../application/ports/clock.js';
import type { Logger } from '../application/ports/logger.js';
import type { LoginThrottle } from '../application/ports/login-throttle.js';
import type { PasswordHasher } from '../application/ports/password-hasher.js';
import type { TokenService } from '../application/ports/token-service.js';
import type { Repositories, UnitOfWork } from '../application/ports/unit-of-work.js';
import type { Admission } from '../application/ports/admission.js';
import type { UserCache } from '../application/ports/user-cache.js';
import { makeAuthenticate } from '../application/use-cases/authenticate.js';
import { makeCheckResetToken } from '../application/use-cases/check-reset-token.js';
import { makeCreateContact } from '../application/use-cases/create-contact.js';
import { makeDeleteContact } from '../application/use-cases/delete-contact.js';
import { makeGetContact } from '../application/use-cases/get-contact.js';
import { makeListContacts } from '../application/use-cases/list-contacts.js';
import { makeLogIn } from '../application/use-cases/log-in.js';
import { makeLogOut } from '../application/use-cases/log-out.js';
import { makePatchContact } from '../application/use-cases/patch-contact.js';
import { makeRefreshSession } from '../application/use-cases/refresh-session.js';
import { makeRegisterUser } from '../application/use-cases/register-user.js';
import { makeReplaceContact } from '../application/use-cases/replace-contact.js';
import { makeRequestPasswordReset } from '../application/use-cases/request-password-reset.js';
import { makeResendVerification } from '../application/use-cases/resend-verification.js';
import { makeResetPassword } from '../application/use-cases/reset-password.js';
import { makeExportContacts } from '../application/use-cases/export-contacts.js';
import { makeImportContacts } from '../application/use-cases/import-contacts.js';
import { IcalContactCardFormat } from '../adapters/vcard/ical-contact-card-format.js';
import { makeUpcomingBirthdays } from '../application/use-cases/upcoming-birthdays.js';
import { makeUpdateAvatar } from '../application/use-cases/update-avatar.js';
import { makeVerifyEmail } from '../application/use-cases/verify-email.js';
import { makeChangePassword } from '../application/use-cases/change-password.js';
import { makeCheckEmailChangeToken } from '../application/use-cases/check-email-change-token.js';
import { makeConfirmEmailChange } from '../application/use-cases/confirm-email-change.js';
import { makeDeleteAccount } from '../application/use-cases/delete-account.js';
import { makeExportAccount } from '../application/use-cases/export-account.js';
import { makeListSessions } from '../application/use-cases/list-sessions.js';
import { makeRequestEmailChange } from '../application/use-cases/request-email-change.js';
import { makeRevokeOtherSessions } from '../application/use-cases/revoke-other-sessions.js';
import { makeRevokeSession } from '../application/use-cases/revoke-session.js';
import { makeUpdateUsername } from '../application/use-cases/update-username.js';
import type { UseCases } from '../adapters/http/use-cases.js';

/** The adapters and settings the use-cases are closed over. */
export interface UseCaseAdapters {
  repos: Repositories;
  uow: UnitOfWork;
  hasher: PasswordHasher;
  tokens: TokenService;
  cache: UserCache;
  /** The session check and per-user limits of authenticated requests (over the same cache). */
  admission: Admission;
  clock: Clock;
  avatars: AvatarStorage;
  loginThrottle: LoginThrottle;
  /** Work done after the response (the lookup and email of forgot-password and resend). */
  tasks: BackgroundTasks;
  /** A hash of no one's password (see LogInDeps). */
  dummyHash: () => Promise<string>;
  logger: Logger;
  /** Emailed links start with it. */
  publicUrl: string;
  verifyTokenTtlSeconds: number;
  resetTokenTtlSeconds: number;
}

/**
 * Every use-case the HTTP adapter drives, wired to the given adapters: the composition root calls
 * it with the real ones, the tests' fake world with in-memory ones, so both wire alike.
 */
export function wireUseCases(a: UseCaseAdapters): UseCases {
  const { repos, uow, hasher, tokens, cache, clock, publicUrl } = a;
  // Stateless, with no backing service: the same vCard adapter serves production and the fakes.
  const cards = new IcalContactCardFormat();
  return {
    registerUser: makeRegisterUser({ uow, hasher, clock, publicUrl, verifyTokenTtlSeconds: a.verifyTokenTtlSeconds }),
    verifyEmail: makeVerifyEmail({ uow, cache, clock }),
    resendVerification: makeResendVerification({ uow, clock, tasks: a.tasks, publicUrl, verifyTokenTtlSeconds: a.verifyTokenTtlSeconds }),
    logIn: makeLogIn({ repos, hasher, tokens, clock, dummyHash: a.dummyHash, loginThrottle: a.loginThrottle }),
    refreshSession: makeRefreshSession({ repos, tokens, cache, clock }),
    logOut: makeLogOut({ repos, tokens, cache, clock }),
    authenticate: makeAuthenticate({ repos, tokens, admission: a.admission, cache, clock }),
    createContact: makeCreateContact({ repos, clock }),
    getContact: makeGetContact({ repos }),
    listContacts: makeListContacts({ repos }),
    replaceContact: makeReplaceContact({ repos, clock }),
    patchContact: makePatchContact({ repos, clock }),
    deleteContact: makeDeleteContact({ repos }),
    upcomingBirthdays: makeUpcomingBirthdays({ repos, clock }),
    importContacts: makeImportContacts({ uow, cards, clock }),
    exportContacts: makeExportContacts({ repos, cards }),
    requestPasswordReset: makeRequestPasswordReset({ uow, clock, tasks: a.tasks, publicUrl, resetTokenTtlSeconds: a.resetTokenTtlSeconds }),
    checkResetToken: makeCheckResetToken({ repos, clock }),
    resetPassword: makeResetPassword({ repos, uow, hasher, cache, clock }),
    updateAvatar: makeUpdateAvatar({ repos, storage: a.avatars, cache }),

    updateUsername: makeUpdateUsername({ repos, cache }),
    changePassword: makeChangePassword({ repos, uow, hasher, loginThrottle: a.loginThrottle, tokens, cache, clock }),
    requestEmailChange: makeRequestEmailChange({
      repos,
      uow,
      hasher,
      loginThrottle: a.loginThrottle,
      clock,
      publicUrl,
      verifyTokenTtlSeconds: a.verifyTokenTtlSeconds,
    }),
    checkEmailChangeToken: makeCheckEmailChangeToken({ repos, clock }),
    confirmEmailChange: makeConfirmEmailChange({ uow, cache, clock }),
    listSessions: makeListSessions({ repos, clock }),
    revokeSession: makeRevokeSession({ repos, cache, clock }),
    revokeOtherSessions: makeRevokeOtherSessions({ repos, cache, clock }),
    deleteAccount: makeDeleteAccount({ repos, uow, hasher, loginThrottle: a.loginThrottle, cache, clock, avatars: a.avatars, logger: a.logger }),
    exportAccount: makeExportAccount({ repos, clock }),
  };
}
