import type { Admission } from './ports/admission.js';
import type { AvatarStorage } from './ports/avatar-storage.js';
import type { BackgroundTasks } from './ports/background-tasks.js';
import type { Clock } from './ports/clock.js';
import type { ContactCardFormat, ContactFileReader } from './ports/contact-card-format.js';
import type { ContactPhotoStorage } from './ports/contact-photo-storage.js';
import type { ImageProcessor } from './ports/image-processor.js';
import type { Logger } from './ports/logger.js';
import type { LoginThrottle } from './ports/login-throttle.js';
import type { PasswordHasher } from './ports/password-hasher.js';
import type { TokenService } from './ports/token-service.js';
import type { Repositories, UnitOfWork } from './ports/unit-of-work.js';
import type { UserCache } from './ports/user-cache.js';
import { makeAuthenticate } from './use-cases/authenticate.js';
import { makeAuthenticateDav } from './use-cases/authenticate-dav.js';
import { makeChangePassword } from './use-cases/change-password.js';
import { makeCheckEmailChangeToken } from './use-cases/check-email-change-token.js';
import { makeCheckResetToken } from './use-cases/check-reset-token.js';
import { makeConfirmEmailChange } from './use-cases/confirm-email-change.js';
import { makeCreateAppPassword } from './use-cases/create-app-password.js';
import { makeCreateContact } from './use-cases/create-contact.js';
import { makeDeleteAccount } from './use-cases/delete-account.js';
import { makeDeleteContact } from './use-cases/delete-contact.js';
import { makeDeleteLabel } from './use-cases/delete-label.js';
import { makeListTrash, makePurgeTrash, makeRestoreContact } from './use-cases/contact-trash.js';
import { makeListChanges } from './use-cases/list-changes.js';
import { makeExportAccount } from './use-cases/export-account.js';
import { makeExportContacts } from './use-cases/export-contacts.js';
import { makeFindDuplicates } from './use-cases/find-duplicates.js';
import { makeGetContact } from './use-cases/get-contact.js';
import { makeImportContacts } from './use-cases/import-contacts.js';
import { makeListAppPasswords } from './use-cases/list-app-passwords.js';
import { makeListContacts } from './use-cases/list-contacts.js';
import { makeListLabels } from './use-cases/list-labels.js';
import { makeListSessions } from './use-cases/list-sessions.js';
import { makeLogIn } from './use-cases/log-in.js';
import { makeLogOut } from './use-cases/log-out.js';
import { makeMergeContacts } from './use-cases/merge-contacts.js';
import { makePatchContact } from './use-cases/patch-contact.js';
import { makeRefreshSession } from './use-cases/refresh-session.js';
import { makeRemoveContactPhoto } from './use-cases/remove-contact-photo.js';
import { makeRegisterUser } from './use-cases/register-user.js';
import { makeRenameLabel } from './use-cases/rename-label.js';
import { makeReplaceContact } from './use-cases/replace-contact.js';
import { makeRequestEmailChange } from './use-cases/request-email-change.js';
import { makeRequestPasswordReset } from './use-cases/request-password-reset.js';
import { makeResendVerification } from './use-cases/resend-verification.js';
import { makeResetPassword } from './use-cases/reset-password.js';
import { makeRevokeAppPassword } from './use-cases/revoke-app-password.js';
import { makeRevokeOtherSessions } from './use-cases/revoke-other-sessions.js';
import { makeRevokeSession } from './use-cases/revoke-session.js';
import { makeSetContactPhoto } from './use-cases/set-contact-photo.js';
import { makeUpcomingBirthdays } from './use-cases/upcoming-birthdays.js';
import { makeUpdateAvatar } from './use-cases/update-avatar.js';
import { makeUpdateUsername } from './use-cases/update-username.js';
import { makeVerifyEmail } from './use-cases/verify-email.js';

/** The ports the use-cases are closed over, and the settings they read. */
export interface UseCaseDeps {
  repos: Repositories;
  uow: UnitOfWork;
  hasher: PasswordHasher;
  tokens: TokenService;
  cache: UserCache;
  /** The session check and per-user limits of authenticated requests (over the same cache). */
  admission: Admission;
  clock: Clock;
  avatars: AvatarStorage;
  cards: ContactCardFormat;
  /** Reads Google Contacts' and Outlook's CSV exports for the import. */
  csvCards: ContactFileReader;
  /** Fits and strips contact photos. */
  images: ImageProcessor;
  /** Where contact photos are kept (the avatars' store). */
  photos: ContactPhotoStorage;
  loginThrottle: LoginThrottle;
  /** Work done after the response (the lookup and email of forgot-password and resend). */
  tasks: BackgroundTasks;
  logger: Logger;
  /** Emailed links start with it. */
  publicUrl: string;
  verifyTokenTtlSeconds: number;
  resetTokenTtlSeconds: number;
  /** Contact imports run at once on this instance (see makeImportContacts). */
  importsAtOnce: number;
}

/** Every use-case a driving adapter (HTTP, the account pages) calls, closed over its ports. */
export type UseCases = ReturnType<typeof makeUseCases>;

/**
 * The use-cases over the given ports: the composition root calls it with the real adapters, the
 * tests' fake world with in-memory ones, so both wire alike. The delivery of the outbox is not
 * here: the dispatcher drives it, no request does.
 */
export function makeUseCases(deps: UseCaseDeps) {
  const { repos, uow, hasher, tokens, cache, admission, clock, avatars, cards, images, photos, loginThrottle, tasks, logger, publicUrl } = deps;
  const { verifyTokenTtlSeconds, resetTokenTtlSeconds } = deps;
  // Hashed once, on the first login of an unknown email, at the hasher's own cost.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hasher.hash('dummy password that matches no account'));
  // One instance for REST and DAV, so both share one record of session activity.
  const authenticate = makeAuthenticate({ repos, tokens, admission, cache, clock });
  return {
    registerUser: makeRegisterUser({ uow, hasher, clock, publicUrl, verifyTokenTtlSeconds }),
    verifyEmail: makeVerifyEmail({ uow, cache, clock }),
    resendVerification: makeResendVerification({ uow, clock, tasks, publicUrl, verifyTokenTtlSeconds }),
    logIn: makeLogIn({ repos, hasher, tokens, clock, dummyHash, loginThrottle }),
    refreshSession: makeRefreshSession({ repos, tokens, cache, clock }),
    logOut: makeLogOut({ repos, tokens, cache, clock }),
    authenticate,

    createContact: makeCreateContact({ repos, clock }),
    getContact: makeGetContact({ repos }),
    listContacts: makeListContacts({ repos }),
    replaceContact: makeReplaceContact({ repos, clock }),
    patchContact: makePatchContact({ repos, clock }),
    deleteContact: makeDeleteContact({ repos }),
    setContactPhoto: makeSetContactPhoto({ repos, images, photos, logger }),
    removeContactPhoto: makeRemoveContactPhoto({ repos, photos, logger }),
    listLabels: makeListLabels({ repos }),
    renameLabel: makeRenameLabel({ repos }),
    deleteLabel: makeDeleteLabel({ repos }),
    upcomingBirthdays: makeUpcomingBirthdays({ repos, clock }),
    findDuplicates: makeFindDuplicates({ repos }),
    mergeContacts: makeMergeContacts({ uow, photos, logger }),
    importContacts: makeImportContacts({
      uow,
      readers: { vcard: cards, csv: deps.csvCards },
      clock,
      images,
      photos,
      logger,
      importsAtOnce: deps.importsAtOnce,
    }),
    exportContacts: makeExportContacts({ repos, cards, photos }),
    listTrash: makeListTrash({ repos }),
    restoreContact: makeRestoreContact({ repos }),
    purgeTrash: makePurgeTrash({ repos, photos, logger }),
    listChanges: makeListChanges({ repos }),

    requestPasswordReset: makeRequestPasswordReset({ uow, clock, tasks, publicUrl, resetTokenTtlSeconds }),
    checkResetToken: makeCheckResetToken({ repos, clock }),
    resetPassword: makeResetPassword({ repos, uow, hasher, cache, clock }),

    updateAvatar: makeUpdateAvatar({ repos, storage: avatars, cache }),
    updateUsername: makeUpdateUsername({ repos, cache }),
    changePassword: makeChangePassword({ repos, uow, hasher, loginThrottle, tokens, cache, clock }),
    requestEmailChange: makeRequestEmailChange({ repos, uow, hasher, loginThrottle, clock, publicUrl, verifyTokenTtlSeconds }),
    checkEmailChangeToken: makeCheckEmailChangeToken({ repos, clock }),
    confirmEmailChange: makeConfirmEmailChange({ uow, cache, clock }),
    listSessions: makeListSessions({ repos, clock }),
    revokeSession: makeRevokeSession({ repos, cache, clock }),
    revokeOtherSessions: makeRevokeOtherSessions({ repos, cache, clock }),
    deleteAccount: makeDeleteAccount({ repos, uow, hasher, loginThrottle, cache, clock, avatars, photos, tasks, logger }),
    exportAccount: makeExportAccount({ repos, clock, cards }),
    createAppPassword: makeCreateAppPassword({ repos, hasher, loginThrottle, clock }),
    listAppPasswords: makeListAppPasswords({ repos }),
    revokeAppPassword: makeRevokeAppPassword({ repos }),
    /** CardDAV's Basic (email or username + app password) or Bearer; see AuthenticateDav. */
    authenticateDav: makeAuthenticateDav({ repos, loginThrottle, clock, authenticate }),
  };
}
