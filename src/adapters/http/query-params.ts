import type { ParsedUrlQuery } from 'node:querystring';
import type { ListContactsInput } from '../../application/use-cases/list-contacts.js';

/**
 * A whole number from the query string: undefined when absent or empty, NaN when it is anything but
 * digits (a sign, a decimal point, an exponent, or the parameter given twice), which the domain then
 * refuses naming the parameter.
 */
export function integerParam(value: string | string[] | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** GET /api/contacts's parameters: the search texts, sort and fields as given (the domain checks them), the paging read as numbers. */
export function contactQueryParams(query: ParsedUrlQuery): ListContactsInput {
  return {
    q: query.q,
    label: query.label,
    sort: query.sort,
    fields: query.fields,
    firstName: query.firstName,
    lastName: query.lastName,
    email: query.email,
    limit: integerParam(query.limit),
    offset: integerParam(query.offset),
  };
}
