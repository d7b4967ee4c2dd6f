import type { Knex } from 'knex';
import { raw } from 'objection';
import type { ContactPage, ContactRepository } from '../../application/ports/contact-repository.js';
import { addDays, isLeapYear } from '../../domain/birthdays.js';
import { ContactEmailTaken } from '../../domain/contact.errors.js';
import type { Contact, ContactFields, ContactQuery } from '../../domain/contact.js';
import { ContactModel } from './models/contact.model.js';
import { isUniqueViolation, isUuid } from './pg-errors.js';
import { PreparedStatement } from './prepared-statement.js';

// The pg driver turns a `date` into a Date at local midnight (PGlite at UTC midnight); as text it
// is the same calendar day everywhere. Instants leave the database already in the domain's form.
const isoInstant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = [
  'id',
  'userId',
  'firstName',
  'lastName',
  'email',
  'phone',
  raw("to_char(birthday, 'YYYY-MM-DD') AS birthday"),
  'notes',
  raw(`${isoInstant('created_at')} AS created_at`),
  raw(`${isoInstant('updated_at')} AS updated_at`),
];

/** A contact as a read returns it: the columns of READ_COLUMNS or of a model. */
type ContactRow = Pick<ContactModel, keyof Contact>;

function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    userId: row.userId,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phone: row.phone,
    birthday: row.birthday,
    notes: row.notes ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// The two reads every client repeats are prepared statements with fixed SQL (see PreparedStatement).
const READ_COLUMNS = `id, user_id AS "userId", first_name AS "firstName", last_name AS "lastName", email, phone,
  to_char(birthday, 'YYYY-MM-DD') AS birthday, notes, ${isoInstant('created_at')} AS "createdAt", ${isoInstant('updated_at')} AS "updatedAt"`;
const CONTACT_BY_ID = new PreparedStatement('contacts.find_by_id.v1', `SELECT ${READ_COLUMNS} FROM contacts WHERE id = ? AND user_id = ?`);

/** The list's optional filters, each a condition on the contact and the pattern it is given. */
const FILTERS = [
  { field: 'q', sql: '(first_name ILIKE ? OR last_name ILIKE ? OR email ILIKE ?)', uses: 3 },
  { field: 'firstName', sql: 'first_name ILIKE ?', uses: 1 },
  { field: 'lastName', sql: 'last_name ILIKE ?', uses: 1 },
  { field: 'email', sql: 'email ILIKE ?', uses: 1 },
] as const;

/**
 * One pair of statements (the page, and the count for a page past the end) per combination of
 * filters rather than one with every filter optional (`? IS NULL OR …`): PostgreSQL cannot reuse a
 * generic plan for the latter and plans it again on every call.
 */
const searchStatements = new Map<string, { page: PreparedStatement; count: PreparedStatement }>();
function searchFor(query: ContactQuery): { page: PreparedStatement; count: PreparedStatement; bindings: string[] } {
  const used = FILTERS.filter(({ field }) => query[field]);
  const combination = used.map(({ field }) => field).join('+') || 'all';
  let statements = searchStatements.get(combination);
  if (!statements) {
    const where = ['user_id = ?', ...used.map(({ sql }) => sql)].join(' AND ');
    statements = {
      page: new PreparedStatement(
        `contacts.search_page.v2.${combination}`,
        `SELECT ${READ_COLUMNS}, count(*) OVER () AS "totalCount" FROM contacts WHERE ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`,
      ),
      count: new PreparedStatement(`contacts.search_count.v2.${combination}`, `SELECT count(*) AS "totalCount" FROM contacts WHERE ${where}`),
    };
    searchStatements.set(combination, statements);
  }
  const bindings = used.flatMap(({ field, uses }) => Array<string>(uses).fill(containing(query[field]!)));
  return { ...statements, bindings };
}

/** A LIKE pattern matching `text` anywhere, with the user's `%`, `_` and `\` taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Month and day as the number the `birthday_md` column holds: 1 March is 301. */
function monthDay(day: string): number {
  return Number(day.slice(5, 7)) * 100 + Number(day.slice(8, 10));
}

/** SQL for the date a contact's birthday falls on in `year`, and its bindings. */
function occurrence(year: number): [string, number[]] {
  return [
    'make_date(?::int, birthday_md / 100, CASE WHEN birthday_md = 229 THEN ?::int ELSE birthday_md % 100 END)',
    [year, isLeapYear(year) ? 29 : 28],
  ];
}

export class KnexContactRepository implements ContactRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(ownerId: string, fields: ContactFields): Promise<Contact> {
    try {
      const row = await ContactModel.query(this.db)
        .insert({ ...fields, userId: ownerId })
        .returning(COLUMNS as string[]);
      return toContact(row as unknown as ContactModel);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ContactEmailTaken();
      throw error;
    }
  }

  async findById(ownerId: string, id: string): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    const [row] = await CONTACT_BY_ID.rows<ContactRow>(this.db, [id, ownerId]);
    return row ? toContact(row) : null;
  }

  async search(ownerId: string, query: ContactQuery): Promise<ContactPage> {
    const { page, count, bindings } = searchFor(query);
    // One round trip: the window count rides along with the page. Only a page past the end (no row
    // to carry it) needs a second query for the total.
    const rows = await page.rows<ContactRow & { totalCount: string | number }>(this.db, [ownerId, ...bindings, query.limit, query.offset]);
    let total = rows.length > 0 ? Number(rows[0]!.totalCount) : 0;
    if (rows.length === 0 && query.offset > 0) {
      const [counted] = await count.rows<{ totalCount: string | number }>(this.db, [ownerId, ...bindings]);
      total = Number(counted?.totalCount ?? 0);
    }
    return { items: rows.map(toContact), total };
  }

  async update(ownerId: string, id: string, changes: Partial<ContactFields>): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    try {
      const rows = await ContactModel.query(this.db)
        .patch({ ...changes, updatedAt: raw('now()') as unknown as string })
        .where({ id, userId: ownerId })
        .returning(COLUMNS as string[]);
      const row = (rows as unknown as ContactModel[])[0];
      return row ? toContact(row) : null;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ContactEmailTaken();
      throw error;
    }
  }

  async listAll(ownerId: string): Promise<Contact[]> {
    if (!isUuid(ownerId)) return [];
    const rows = await ContactModel.query(this.db)
      .select(COLUMNS as string[])
      .where('userId', ownerId)
      .orderBy([{ column: 'createdAt' }, { column: 'id' }]);
    return (rows as unknown as ContactModel[]).map(toContact);
  }

  async delete(ownerId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    // Rows rather than a count: knex-pglite does not report how many rows a DELETE removed.
    const deleted = await ContactModel.query(this.db).delete().where({ id, userId: ownerId }).returning('id');
    return (deleted as unknown as unknown[]).length > 0;
  }

  async upcomingBirthdays(ownerId: string, today: string, days: number): Promise<Contact[]> {
    const end = addDays(today, days);
    const year = Number(today.slice(0, 4));
    const [thisYear, thisYearBindings] = occurrence(year);
    const [nextYear, nextYearBindings] = occurrence(year + 1);
    const next = `CASE WHEN ${thisYear} >= ?::date THEN ${thisYear} ELSE ${nextYear} END`;
    const nextBindings = [...thisYearBindings, today, ...thisYearBindings, ...nextYearBindings];

    const qb = ContactModel.query(this.db).select(COLUMNS).where('userId', ownerId);
    // The index narrows the rows by month and day; the exact date test below settles 29 February.
    // Every next birthday is at most 365 days away, so a longer window needs no narrowing.
    if (days < 365) {
      const from = monthDay(today);
      const to = monthDay(end) === 228 ? 229 : monthDay(end);
      if (end.slice(0, 4) === today.slice(0, 4)) qb.where('birthdayMd', '>=', from).where('birthdayMd', '<=', to);
      else qb.where((w) => w.where('birthdayMd', '>=', from).orWhere('birthdayMd', '<=', to));
    }
    const rows = await qb.whereRaw(`${next} <= ?::date`, [...nextBindings, end]).orderByRaw(next, nextBindings).orderBy('id');
    return (rows as ContactModel[]).map(toContact);
  }
}
