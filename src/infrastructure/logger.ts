import pino, { type Logger as Pino } from 'pino';

/** JSON logs on stdout; anything that looks like a secret is redacted wherever it appears. */
export function createLogger(level: string): Pino {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'accessToken', 'refreshToken', '*.authorization', 'headers.authorization', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}
