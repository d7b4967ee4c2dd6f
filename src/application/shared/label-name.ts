import { LABEL_MAX } from '../../domain/contact.js';
import { FieldErrors } from '../../domain/errors.js';
import { checkText } from '../../domain/validation.js';

/**
 * A label named in a path, as contacts could carry it (trimmed), or null when no contact can
 * (blank, too long, control characters): such a name is answered as unknown without a query, and
 * a NUL never reaches the database.
 */
export function carriedLabelName(name: string): string | null {
  return checkText(new FieldErrors(), 'name', name, LABEL_MAX) ?? null;
}
