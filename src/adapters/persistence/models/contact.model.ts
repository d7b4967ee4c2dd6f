import { Model } from 'objection';

export class ContactModel extends Model {
  static override tableName = 'contacts';
  id!: string;
  userId!: string;
  firstName!: string;
  lastName!: string;
  email!: string | null;
  phone!: string | null;
  /** Read back as `YYYY-MM-DD` or `--MM-DD` text (see KnexContactRepository), never as a Date. */
  birthday!: string | null;
  notes!: string | null;
  version!: number;
  /** Read back as ISO 8601 text (see KnexContactRepository), never as a Date. */
  createdAt!: string;
  updatedAt!: string;
}
