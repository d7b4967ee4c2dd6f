import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import { currentRequestId } from '../adapters/http/request-context.js';

const SECRET_FIELDS = ['password', 'passwordConfirm', 'passwordHash', 'token', 'accessToken', 'refreshToken', 'jwtSecret', 'secret', 'authorization', 'cookie'];

/**
 * JSON logs on stdout (or `destination`); every line written while serving a request carries its
 * `requestId`. Fields that look like a secret are redacted at the top level and one level down.
 */
export function createLogger(level: string, destination?: DestinationStream): Pino {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    mixin() {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    redact: {
      paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`), 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
