const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are opaque to clients; anything that is not a UUID cannot name a row, so it is simply absent. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** PostgreSQL's unique_violation, whether raised directly or wrapped (a `nativeError`). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);
  return code(error) === '23505' || code((error as { nativeError?: unknown } | null)?.nativeError) === '23505';
}

/**
 * PostgreSQL's foreign_key_violation. Every foreign key names a user, so it means a write for an
 * account deleted while the request was in flight.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);
  return code(error) === '23503' || code((error as { nativeError?: unknown } | null)?.nativeError) === '23503';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE class 08 is "connection exception"; 57P01–57P03 a server shutting down or starting;
// 53300 too many connections; 57014 a statement cancelled by statement_timeout.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|57014)$/;
// Knex puts the SQL in front of the driver's message: "select … - Connection terminated unexpectedly".
// pg.Pool (the prepared reads' statement pool) says "timeout exceeded when trying to connect".
const UNAVAILABLE_MESSAGE =
  /(^|\s-\s)(Knex: Timeout acquiring a connection|timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error|Connection ended unexpectedly|timeout expired)/i;

/**
 * Whether the error means the database could not be reached or did not answer in time, rather
 * than a problem with the query itself. Looks through a wrapping `nativeError` and Node's AggregateError.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, name, message, nativeError, errors } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    nativeError?: unknown;
    errors?: unknown;
  };
  if (name === 'KnexTimeoutError') return true;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  if (nativeError && isDatabaseUnavailable(nativeError, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1));
}
