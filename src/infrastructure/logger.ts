import pino, { type DestinationStream, type Logger as Pino } from 'pino';

const SECRET_FIELDS = ['password', 'passwordConfirm', 'passwordHash', 'token', 'accessToken', 'refreshToken', 'jwtSecret', 'secret', 'authorization', 'cookie'];

/**
 * JSON logs on stdout (or `destination`). The HTTP layer puts the `requestId` on every line it
 * writes about a request. Fields that look like a secret are redacted at the top level and one level down.
 */
export function createLogger(level: string, destination?: DestinationStream): Pino {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: {
      paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`), 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
