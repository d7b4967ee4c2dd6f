import type { Knex } from 'knex';

interface RecordedQuery {
  sql: string;
  bindings: unknown[];
}

/**
 * Records the SQL a knex instance runs until `stop()`. `about(table, ...values)` lists the queries
 * naming that table whose bindings hold one of the values, so tests running alongside on the same
 * app (other users, other sessions) do not count.
 */
export function recordQueries(knex: Knex) {
  const queries: RecordedQuery[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => queries.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', listener);
  return {
    queries,
    about: (table: string, ...values: string[]) =>
      queries.filter((q) => new RegExp(`\\b${table}\\b`, 'i').test(q.sql) && q.bindings.some((b) => values.includes(String(b)))),
    stop: () => void knex.removeListener('query', listener),
  };
}

/** The claims of a JWT, unverified (tests only). */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
