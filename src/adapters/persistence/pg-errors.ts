const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are opaque to clients; anything that is not a UUID cannot name a row, so it is simply absent. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** PostgreSQL's unique_violation, whether raised directly or wrapped by Objection. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (e: unknown) => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);
  return code(error) === '23505' || code((error as { nativeError?: unknown } | null)?.nativeError) === '23505';
}
