import { RateLimited } from '../../domain/errors.js';
import { PASSWORD_MAX_BYTES } from '../../domain/password-policy.js';
import { WrongPassword } from '../../domain/user.errors.js';
import type { User } from '../../domain/user.js';
import { emailKey } from '../../domain/validation.js';
import { UNKNOWN_CLIENT_IP, type LoginThrottle } from '../ports/login-throttle.js';
import type { PasswordHasher } from '../ports/password-hasher.js';

export interface PasswordCheckDeps {
  hasher: PasswordHasher;
  loginThrottle: LoginThrottle;
}

/**
 * The password a self-service route asks for, checked as a login attempt: counted against the
 * account's failed-login limit before the hash is compared (429 past it, whatever the password), and
 * uncounted when right. A wrong one throws WrongPassword. A password no account can have (longer
 * than the policy allows) is wrong without being hashed. `clientIp` is the caller's address, counted
 * like a login's (UNKNOWN_CLIENT_IP when the caller is not a network client).
 */
export async function checkCurrentPassword(deps: PasswordCheckDeps, user: User, password: string, clientIp = UNKNOWN_CLIENT_IP): Promise<void> {
  const key = emailKey(user.email);
  const attempt = await deps.loginThrottle.begin(key, clientIp);
  if (!attempt.allowed) throw new RateLimited(attempt.retryAfterSeconds);
  const plausible = Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES;
  if (!plausible || !(await deps.hasher.verify(password, user.passwordHash))) throw new WrongPassword();
  await deps.loginThrottle.succeeded(key, clientIp, attempt.id);
}
