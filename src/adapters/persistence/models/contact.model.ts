import { Model } from 'objection';

export class ContactModel extends Model {
  static override tableName = 'contacts';
  id!: string;
  userId!: string;
  firstName!: string;
  lastName!: string;
  email!: string;
  phone!: string;
  /** Read back as `YYYY-MM-DD` text (see KnexContactRepository), never as a Date. */
  birthday!: string;
  notes!: string | null;
  /** Read back as ISO 8601 text (see KnexContactRepository), never as a Date. */
  createdAt!: string;
  updatedAt!: string;
}
