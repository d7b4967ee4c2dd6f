import type { ParsedUrlQuery } from 'node:querystring';
import type { ContactQueryInput } from '../../domain/contact.js';

/**
 * A whole number from the query string: undefined when absent or empty, NaN when it is anything but
 * digits (a sign, a decimal point, an exponent, or the parameter given twice), which the domain then
 * refuses naming the parameter.
 */
export function integerParam(value: string | string[] | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** GET /api/contacts's parameters: the search texts as given (the domain checks them), the paging read as numbers. */
export function contactQueryParams(query: ParsedUrlQuery): ContactQueryInput {
  return {
    q: query.q,
    firstName: query.firstName,
    lastName: query.lastName,
    email: query.email,
    limit: integerParam(query.limit),
    offset: integerParam(query.offset),
  };
}
