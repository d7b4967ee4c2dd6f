import type { Knex } from 'knex';
import { raw } from 'objection';
import type { ContactPage, ContactRepository } from '../../application/ports/contact-repository.js';
import { addDays, isLeapYear } from '../../domain/birthdays.js';
import { ContactChanged, ContactEmailTaken } from '../../domain/contact.errors.js';
import type { Contact, ContactFields, ContactQuery } from '../../domain/contact.js';
import { emailKey } from '../../domain/validation.js';
import { ContactModel } from './models/contact.model.js';
import { isUniqueViolation, isUuid } from './pg-errors.js';
import { PreparedStatement } from './prepared-statement.js';

// The pg driver turns a `date` into a Date at local midnight (PGlite at UTC midnight); as text it
// is the same calendar day everywhere. Instants leave the database already in the domain's form.
const isoInstant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A birthday without a year (`--MM-DD`) is stored as that day in the year 4 (a leap year, so 29
 * February fits; see the migration 20261201_17): `birthday_md` and its index then serve both kinds.
 */
const YEARLESS_YEAR = '0004';
const BIRTHDAY = `CASE WHEN birthday < DATE '1000-01-01' THEN '--' || to_char(birthday, 'MM-DD') ELSE to_char(birthday, 'YYYY-MM-DD') END`;
const storedBirthday = (birthday: string | null | undefined) =>
  typeof birthday === 'string' && birthday.startsWith('--') ? `${YEARLESS_YEAR}${birthday.slice(1)}` : birthday;
function stored<T extends Partial<ContactFields>>(fields: T): T {
  return fields.birthday === undefined ? fields : { ...fields, birthday: storedBirthday(fields.birthday) };
}

const COLUMNS = [
  'id',
  'userId',
  'firstName',
  'lastName',
  'email',
  'phone',
  raw(`${BIRTHDAY} AS birthday`),
  'notes',
  'version',
  raw(`${isoInstant('created_at')} AS created_at`),
  raw(`${isoInstant('updated_at')} AS updated_at`),
];

/** A contact as a read returns it: the columns of READ_COLUMNS or of a model. */
type ContactRow = Pick<ContactModel, keyof Contact>;
/** The row of a page past the end: the total, no contact. */
type NoContact = { [K in keyof ContactRow]: null };

function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    userId: row.userId,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phone: row.phone,
    birthday: row.birthday ?? null,
    notes: row.notes ?? null,
    version: Number(row.version),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// The two reads every client repeats are prepared statements with fixed SQL (see PreparedStatement).
const READ_COLUMNS = `id, user_id AS "userId", first_name AS "firstName", last_name AS "lastName", email, phone,
  ${BIRTHDAY} AS birthday, notes, version, ${isoInstant('created_at')} AS "createdAt", ${isoInstant('updated_at')} AS "updatedAt"`;
const CONTACT_BY_ID = new PreparedStatement('contacts.find_by_id.v2', `SELECT ${READ_COLUMNS} FROM contacts WHERE id = ? AND user_id = ?`);

/** Rows per INSERT of an import: 7 values each, far below PostgreSQL's 65,535 bindings. */
const INSERT_BATCH = 500;

// The export's pages, by keyset on (created_at, id) along the index contacts_user_created. The
// cursor is created_at to the microsecond, so that rows created in one millisecond are never skipped.
const CURSOR = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor`;
const ALL_FIRST = new PreparedStatement(
  'contacts.all_first.v1',
  `SELECT ${READ_COLUMNS}, ${CURSOR} FROM contacts WHERE user_id = ? ORDER BY created_at, id LIMIT ?`,
);
const ALL_AFTER = new PreparedStatement(
  'contacts.all_after.v1',
  `SELECT ${READ_COLUMNS}, ${CURSOR} FROM contacts WHERE user_id = ? AND (created_at, id) > (?::timestamptz, ?::uuid) ORDER BY created_at, id LIMIT ?`,
);

/** The list's optional filters, each a condition on the contact and the pattern it is given. */
const FILTERS = [
  { field: 'q', sql: '(first_name ILIKE ? OR last_name ILIKE ? OR email ILIKE ?)', uses: 3 },
  { field: 'firstName', sql: 'first_name ILIKE ?', uses: 1 },
  { field: 'lastName', sql: 'last_name ILIKE ?', uses: 1 },
  { field: 'email', sql: 'email ILIKE ?', uses: 1 },
] as const;

/**
 * One statement per combination of filters rather than one with every filter optional
 * (`? IS NULL OR …`): PostgreSQL cannot reuse a generic plan for the latter and plans it again on
 * every call. The statement counts the matches and joins the page to the count, so the total comes
 * in the same round trip, also for a page past the end (one row: the total, the contact all null).
 *
 * Without filters the count is an index-only scan and the page reads just its rows; a window count
 * (`count(*) OVER ()`) would read and buffer every contact of the owner (docs/measurements.md).
 *
 * With filters the matches are gathered once (a materialized CTE of their ids and creation times,
 * so that long notes are not copied), then counted and paged, and the page's rows read by id:
 * counting and paging straight from the table would test every pattern twice, and a rare match
 * costs the page a scan of the whole book (docs/measurements.md).
 */
const searchStatements = new Map<string, { page: PreparedStatement; filterPasses: number }>();
function searchFor(ownerId: string, query: ContactQuery): { page: PreparedStatement; values: unknown[] } {
  const used = FILTERS.filter(({ field }) => query[field]);
  const combination = used.map(({ field }) => field).join('+') || 'all';
  let search = searchStatements.get(combination);
  if (!search) {
    const where = ['user_id = ?', ...used.map(({ sql }) => sql)].join(' AND ');
    // Where the page's contacts come from, and how many times the conditions' values are bound.
    const [name, prefix, counted, paged, filterPasses] =
      used.length === 0
        ? ['v4', '', `contacts WHERE ${where}`, `SELECT * FROM contacts WHERE ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`, 2]
        : [
            'v6',
            `WITH matches AS MATERIALIZED (SELECT id, created_at FROM contacts WHERE ${where}) `,
            'matches',
            'SELECT contacts.* FROM (SELECT id FROM matches ORDER BY created_at, id LIMIT ? OFFSET ?) m JOIN contacts ON contacts.id = m.id',
            1,
          ];
    const page = new PreparedStatement(
      `contacts.search_page.${name}.${combination}`,
      `${prefix}SELECT t.total AS "totalCount", ${READ_COLUMNS}
        FROM (SELECT count(*) AS total FROM ${counted}) t
        LEFT JOIN LATERAL (${paged}) c ON true
        ORDER BY c.created_at, c.id`,
    );
    search = { page, filterPasses };
    searchStatements.set(combination, search);
  }
  const filtered = [ownerId, ...used.flatMap(({ field, uses }) => Array<string>(uses).fill(containing(query[field]!)))];
  return { page: search.page, values: [...Array<unknown[]>(search.filterPasses).fill(filtered).flat(), query.limit, query.offset] };
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
  return ['make_date(?::int, birthday_md / 100, CASE WHEN birthday_md = 229 THEN ?::int ELSE birthday_md % 100 END)', [year, isLeapYear(year) ? 29 : 28]];
}

export class KnexContactRepository implements ContactRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async create(ownerId: string, fields: ContactFields): Promise<Contact> {
    try {
      const row = await ContactModel.query(this.db)
        .insert({ ...stored(fields), userId: ownerId })
        .returning(COLUMNS as string[]);
      return toContact(row as unknown as ContactModel);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ContactEmailTaken();
      throw error;
    }
  }

  async createMany(ownerId: string, list: readonly ContactFields[]): Promise<boolean[]> {
    const stored_: boolean[] = [];
    for (let start = 0; start < list.length; start += INSERT_BATCH) {
      const batch = list.slice(start, start + INSERT_BATCH);
      // ON CONFLICT on the unique index settles a duplicate email in the same statement as the
      // insert, whoever else is writing; the emails returned are the rows that went in.
      const rows = (await this.db('contacts')
        .insert(
          batch.map((f) => ({
            user_id: ownerId,
            first_name: f.firstName,
            last_name: f.lastName,
            email: f.email,
            phone: f.phone,
            birthday: storedBirthday(f.birthday),
            notes: f.notes,
          })),
        )
        .onConflict(this.db.raw('(user_id, lower(email))'))
        .ignore()
        .returning('email')) as { email: string | null }[];
      const inserted = new Set(rows.map((r) => r.email && emailKey(r.email)));
      for (const fields of batch) {
        const key = fields.email === null ? null : emailKey(fields.email);
        stored_.push(key === null || inserted.delete(key));
      }
    }
    return stored_;
  }

  async *listAll(ownerId: string, batchSize: number): AsyncIterable<Contact[]> {
    if (!isUuid(ownerId)) return;
    let after: { cursor: string; id: string } | null = null;
    for (;;) {
      const bindings: unknown[] = after ? [ownerId, after.cursor, after.id, batchSize] : [ownerId, batchSize];
      const statement: PreparedStatement = after ? ALL_AFTER : ALL_FIRST;
      const rows: (ContactRow & { cursor: string })[] = await statement.rows(this.db, bindings);
      if (rows.length > 0) yield rows.map(toContact);
      if (rows.length < batchSize) return;
      const last: ContactRow & { cursor: string } = rows[rows.length - 1]!;
      after = { cursor: last.cursor, id: last.id };
    }
  }

  async findById(ownerId: string, id: string): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    const [row] = await CONTACT_BY_ID.rows<ContactRow>(this.db, [id, ownerId]);
    return row ? toContact(row) : null;
  }

  async search(ownerId: string, query: ContactQuery): Promise<ContactPage> {
    const { page, values } = searchFor(ownerId, query);
    const rows = await page.rows<(ContactRow | NoContact) & { totalCount: string | number }>(this.db, values);
    const total = Number(rows[0]?.totalCount ?? 0);
    return { items: rows.filter((row): row is ContactRow & { totalCount: string | number } => row.id !== null).map(toContact), total };
  }

  async update(ownerId: string, id: string, changes: Partial<ContactFields>, expectedVersions?: readonly number[]): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    try {
      const query = ContactModel.query(this.db)
        .patch({
          ...stored(changes),
          version: raw('version + 1') as unknown as number,
          updatedAt: raw('now()') as unknown as string,
        })
        .where({ id, userId: ownerId });
      if (expectedVersions) query.whereIn('version', [...expectedVersions]);
      const rows = await query.returning(COLUMNS as string[]);
      const row = (rows as unknown as ContactModel[])[0];
      if (row) return toContact(row);
      return expectedVersions ? this.changedOrAbsent(ownerId, id) : null;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ContactEmailTaken();
      throw error;
    }
  }

  async delete(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<boolean> {
    if (!isUuid(id)) return false;
    // Rows rather than a count: knex-pglite does not report how many rows a DELETE removed.
    const query = ContactModel.query(this.db).delete().where({ id, userId: ownerId });
    if (expectedVersions) query.whereIn('version', [...expectedVersions]);
    const deleted = await query.returning('id');
    if ((deleted as unknown as unknown[]).length > 0) return true;
    return expectedVersions ? (await this.changedOrAbsent(ownerId, id)) !== null : false;
  }

  /** After a conditional write matched nothing: null when the contact is absent, else ContactChanged. */
  private async changedOrAbsent(ownerId: string, id: string): Promise<null> {
    if (await this.findById(ownerId, id)) throw new ContactChanged();
    return null;
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
    const rows = await qb
      .whereRaw(`${next} <= ?::date`, [...nextBindings, end])
      .orderByRaw(next, nextBindings)
      .orderBy('id');
    return (rows as ContactModel[]).map(toContact);
  }
}
