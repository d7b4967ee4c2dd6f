import type { makeCreateContact } from '../../application/use-cases/create-contact.js';
import type { makeGetContact } from '../../application/use-cases/get-contact.js';
import type { makeListContacts } from '../../application/use-cases/list-contacts.js';
import type { makeReplaceContact } from '../../application/use-cases/replace-contact.js';
import type { makePatchContact } from '../../application/use-cases/patch-contact.js';
import type { makeDeleteContact } from '../../application/use-cases/delete-contact.js';
import type { makeExportContacts } from '../../application/use-cases/export-contacts.js';
import type { makeImportContacts } from '../../application/use-cases/import-contacts.js';
import type { makeUpcomingBirthdays } from '../../application/use-cases/upcoming-birthdays.js';
import type { makeAuthenticate } from '../../application/use-cases/authenticate.js';
import type { makeCheckResetToken } from '../../application/use-cases/check-reset-token.js';
import type { makeLogIn } from '../../application/use-cases/log-in.js';
import type { makeLogOut } from '../../application/use-cases/log-out.js';
import type { makeRefreshSession } from '../../application/use-cases/refresh-session.js';
import type { makeRegisterUser } from '../../application/use-cases/register-user.js';
import type { makeRequestPasswordReset } from '../../application/use-cases/request-password-reset.js';
import type { makeResendVerification } from '../../application/use-cases/resend-verification.js';
import type { makeResetPassword } from '../../application/use-cases/reset-password.js';

import type { makeUpdateAvatar } from '../../application/use-cases/update-avatar.js';
import type { makeVerifyEmail } from '../../application/use-cases/verify-email.js';
import type { makeChangePassword } from '../../application/use-cases/change-password.js';
import type { makeCheckEmailChangeToken } from '../../application/use-cases/check-email-change-token.js';
import type { makeConfirmEmailChange } from '../../application/use-cases/confirm-email-change.js';
import type { makeDeleteAccount } from '../../application/use-cases/delete-account.js';
import type { makeExportAccount } from '../../application/use-cases/export-account.js';
import type { makeListSessions } from '../../application/use-cases/list-sessions.js';
import type { makeRequestEmailChange } from '../../application/use-cases/request-email-change.js';
import type { makeRevokeOtherSessions } from '../../application/use-cases/revoke-other-sessions.js';
import type { makeRevokeSession } from '../../application/use-cases/revoke-session.js';
import type { makeUpdateUsername } from '../../application/use-cases/update-username.js';

/** The use-cases the HTTP adapter drives, already closed over their adapters by the composition root. */
export interface UseCases {
  registerUser: ReturnType<typeof makeRegisterUser>;
  verifyEmail: ReturnType<typeof makeVerifyEmail>;
  resendVerification: ReturnType<typeof makeResendVerification>;
  logIn: ReturnType<typeof makeLogIn>;
  refreshSession: ReturnType<typeof makeRefreshSession>;
  logOut: ReturnType<typeof makeLogOut>;
  authenticate: ReturnType<typeof makeAuthenticate>;
  createContact: ReturnType<typeof makeCreateContact>;
  getContact: ReturnType<typeof makeGetContact>;
  listContacts: ReturnType<typeof makeListContacts>;
  replaceContact: ReturnType<typeof makeReplaceContact>;
  patchContact: ReturnType<typeof makePatchContact>;
  deleteContact: ReturnType<typeof makeDeleteContact>;
  upcomingBirthdays: ReturnType<typeof makeUpcomingBirthdays>;
  importContacts: ReturnType<typeof makeImportContacts>;
  exportContacts: ReturnType<typeof makeExportContacts>;

  requestPasswordReset: ReturnType<typeof makeRequestPasswordReset>;
  checkResetToken: ReturnType<typeof makeCheckResetToken>;
  resetPassword: ReturnType<typeof makeResetPassword>;

  updateAvatar: ReturnType<typeof makeUpdateAvatar>;

  updateUsername: ReturnType<typeof makeUpdateUsername>;
  changePassword: ReturnType<typeof makeChangePassword>;
  requestEmailChange: ReturnType<typeof makeRequestEmailChange>;
  checkEmailChangeToken: ReturnType<typeof makeCheckEmailChangeToken>;
  confirmEmailChange: ReturnType<typeof makeConfirmEmailChange>;
  listSessions: ReturnType<typeof makeListSessions>;
  revokeSession: ReturnType<typeof makeRevokeSession>;
  revokeOtherSessions: ReturnType<typeof makeRevokeOtherSessions>;
  deleteAccount: ReturnType<typeof makeDeleteAccount>;
  exportAccount: ReturnType<typeof makeExportAccount>;
}
