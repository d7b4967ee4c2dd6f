import { DomainError } from './errors.js';

/** The owner's book already holds a contact with this email (compared without regard to case). */
export class ContactEmailTaken extends DomainError {
  readonly code = 'CONTACT_EMAIL_TAKEN';
  constructor() {
    super('Your contact book already has a contact with this email.');
  }
}
