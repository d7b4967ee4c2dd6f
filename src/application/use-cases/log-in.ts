import { randomUUID } from 'node:crypto';
import { cleanUserAgent } from '../../domain/account.js';
import { FieldErrors, RateLimited } from '../../domain/errors.js';
import { EmailNotVerified, InvalidCredentials } from '../../domain/user.errors.js';
import { PASSWORD_MAX_BYTES } from '../../domain/password-policy.js';
import { checkEmail, emailKey, requiredString } from '../../domain/validation.js';
import type { Clock } from '../ports/clock.js';
import { UNKNOWN_CLIENT_IP, type LoginThrottle } from '../ports/login-throttle.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { TokenService } from '../ports/token-service.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { issuePair, type TokenPair } from '../shared/token-pair.js';

export interface LogInDeps {
  repos: Pick<Repositories, 'users' | 'sessions'>;
  hasher: PasswordHasher;
  tokens: TokenService;
  clock: Clock;
  /** A hash of no one's password, compared when the email is unknown so both failures take as long. */
  dummyHash: () => Promise<string>;
  /** Failed logins per account and client IP, with a ceiling per account that never refuses a clean IP (see the port). */
  loginThrottle: LoginThrottle;
}

/** What a client sent to log in, and the address it came from (for the failed-login throttle). */
export interface LogInInput {
  email?: unknown;
  password?: unknown;
  clientIp?: unknown;
}

export function makeLogIn(deps: LogInDeps) {
  /** `context.userAgent`: the client's User-Agent header, kept (cleaned and bounded) with the session. */
  return async function logIn(input: LogInInput, context: { userAgent?: unknown } = {}): Promise<TokenPair & { userId: string }> {
    // Validated before anything is counted or looked up: a megabyte of "email" is refused here.
    const errors = new FieldErrors();
    const email = checkEmail(errors, 'email', input.email);
    const password = requiredString(errors, 'password', input.password);
    // No stored password is longer (signup refuses it), so a longer one is not worth a hash.
    if (password !== undefined && Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      errors.add('password', `must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`);
    }
    errors.throwIfAny();

    const throttleKey = emailKey(email!);
    const clientIp = typeof input.clientIp === 'string' ? input.clientIp : UNKNOWN_CLIENT_IP;
    const attempt = await deps.loginThrottle.begin(throttleKey, clientIp);
    if (!attempt.allowed) throw new RateLimited(attempt.retryAfterSeconds);

    const user = await deps.repos.users.findByEmail(email!);
    const matches = await deps.hasher.verify(password!, user ? user.passwordHash : await deps.dummyHash());
    if (!user || !matches) throw new InvalidCredentials();
    await deps.loginThrottle.succeeded(throttleKey, clientIp, attempt.id);
    if (!user.emailVerified) throw new EmailNotVerified();

    const jti = randomUUID();
    const now = deps.clock.now();
    const session = await deps.repos.sessions.create({
      userId: user.id,
      refreshJti: jti,
      expiresAt: new Date(now.getTime() + deps.tokens.refreshTtlSeconds * 1000),
      userAgent: cleanUserAgent(context.userAgent),
      createdAt: now,
    });
    return {
      userId: user.id,
      ...issuePair(deps.tokens, { userId: user.id, sessionId: session.id, tokenVersion: user.tokenVersion, jti }),
    };
  };
}
