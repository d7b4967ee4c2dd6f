import { DomainError } from './errors.js';

/**
 * A REST write would give a contact an email another live contact of the book holds (compared
 * without regard to case); `holderId` names that contact when it is known.
 */
export class ContactEmailTaken extends DomainError {
  readonly code = 'CONTACT_EMAIL_TAKEN';
  constructor(readonly holderId?: string) {
    super('Your contact book already has a contact with this email.');
  }
}

/** `If-Match` named a version of the contact that is no longer the current one; nothing was changed. */
export class ContactChanged extends DomainError {
  readonly code = 'PRECONDITION_FAILED';
  constructor() {
    super('The contact has changed since you read it; fetch it again and retry.');
  }
}

/** An import whose body holds no vCard at all (no `BEGIN:VCARD` … `END:VCARD`). */
export class NotAVCardFile extends DomainError {
  readonly code = 'NOT_A_VCARD';
  constructor() {
    super('The file holds no vCard (BEGIN:VCARD … END:VCARD).');
  }
}

/** An import with more cards than one request may hold. */
export class TooManyCards extends DomainError {
  readonly code = 'TOO_MANY_CARDS';
  constructor(readonly max: number) {
    super(`A file may hold at most ${max} cards; split it into several imports.`);
  }
}

/** An import sent as CSV whose bytes are not CSV text (binary data, a quote never closed, a row past the size a row may have). */
export class NotACsvFile extends DomainError {
  readonly code = 'NOT_A_CSV';
  constructor(readonly reason: string) {
    super(`The file is not a CSV file of contacts: ${reason}.`);
  }
}

/** A CSV file whose header row is neither Google Contacts' export nor Outlook's, so no column can be trusted to mean a field. */
export class UnknownCsvLayout extends DomainError {
  readonly code = 'UNKNOWN_CSV_LAYOUT';
  constructor() {
    super(
      'The CSV file’s header row is neither Google Contacts’ nor Outlook’s export. Export the contacts again from Google Contacts (Google CSV or Outlook CSV) or from Outlook, and send that file as it is.',
    );
  }
}
