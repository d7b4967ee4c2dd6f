/**
 * Expected failures of the product, each with a stable machine code.
 * They carry no HTTP knowledge: the HTTP adapter maps classes to statuses in one table.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationFailed extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly errors: FieldError[]) {
    super('The request has invalid fields.');
  }
}

export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what = 'resource') {
    super(`The ${what} was not found.`);
  }
}

/**
 * A backing service (database, cache, store) cannot answer right now, or a bounded queue in front
 * of one is full; `retryAfterSeconds` when it is known when to come back.
 */
export class ServiceUnavailable extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(
    readonly service: string,
    readonly retryAfterSeconds?: number,
  ) {
    super('A backing service is unavailable; try again shortly.');
  }
}

/** Too many requests for one client, user or email; the caller may try again after the wait. */
export class RateLimited extends DomainError {
  readonly code = 'RATE_LIMITED';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests; try again in ${retryAfterSeconds} s.`);
  }
}

/** Collects field errors so that one response names every invalid field at once. */
export class FieldErrors {
  private readonly list: FieldError[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  has(field: string): boolean {
    return this.list.some((e) => e.field === field);
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationFailed(this.list);
  }
}
