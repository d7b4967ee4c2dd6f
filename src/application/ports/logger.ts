/** Structured logging; the object comes first, as in pino. Never pass secrets or tokens. */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
