import type { makeAuthenticate } from '../../application/use-cases/authenticate.js';
import type { makeLogIn } from '../../application/use-cases/log-in.js';
import type { makeLogOut } from '../../application/use-cases/log-out.js';
import type { makeRefreshSession } from '../../application/use-cases/refresh-session.js';
import type { makeRegisterUser } from '../../application/use-cases/register-user.js';
import type { makeResendVerification } from '../../application/use-cases/resend-verification.js';
import type { makeUpdateAvatar } from '../../application/use-cases/update-avatar.js';
import type { makeVerifyEmail } from '../../application/use-cases/verify-email.js';

/** The use-cases the HTTP adapter drives, already closed over their adapters by the composition root. */
export interface UseCases {
  registerUser: ReturnType<typeof makeRegisterUser>;
  verifyEmail: ReturnType<typeof makeVerifyEmail>;
  resendVerification: ReturnType<typeof makeResendVerification>;
  logIn: ReturnType<typeof makeLogIn>;
  refreshSession: ReturnType<typeof makeRefreshSession>;
  logOut: ReturnType<typeof makeLogOut>;
  authenticate: ReturnType<typeof makeAuthenticate>;
  updateAvatar: ReturnType<typeof makeUpdateAvatar>;
}
