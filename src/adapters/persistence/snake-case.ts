import type { Knex } from 'knex';

function memoized(convert: (name: string) => string): (name: string) => string {
  const known = new Map<string, string>();
  return (name) => {
    let converted = known.get(name);
    if (converted === undefined) {
      converted = convert(name);
      // Identifiers come from the code, not from requests; the cap only guards against a surprise.
      if (known.size < 10_000) known.set(name, converted);
    }
    return converted;
  };
}

/** `lastUsedAt` → `last_used_at`; an identifier already in snake_case stays as it is. */
const snakeCase = memoized((name) => name.replace(/(?<=.)(?<![A-Z])[A-Z]/g, (letter) => `_${letter}`).toLowerCase());
/** `last_used_at` → `lastUsedAt`. */
const camelCase = memoized((name) => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()));

function camelCaseKeys(row: unknown): unknown {
  if (typeof row !== 'object' || row === null) return row;
  const prototype = Object.getPrototypeOf(row);
  // A driver's result object (pg's Result from knex.raw) is left as it is: its rows keep the SQL's names.
  if (prototype !== Object.prototype && prototype !== null) return row;
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) mapped[camelCase(key)] = value;
  return mapped;
}

/**
 * The part of a knex config that lets the code name columns in camelCase while the tables use
 * snake_case: identifiers are converted on the way in, the keys of the rows a query builds on the
 * way out. `knex.raw` results are left alone (their SQL names its own columns).
 */
export const snakeCaseMappers: Pick<Knex.Config, 'wrapIdentifier' | 'postProcessResponse'> = {
  wrapIdentifier: (value, wrap) => wrap(value === '*' ? value : snakeCase(value)),
  postProcessResponse: (result: unknown) => (Array.isArray(result) ? result.map(camelCaseKeys) : camelCaseKeys(result)),
};
