import type { Knex } from 'knex';
import type { ContactPage, ContactRepository } from '../../application/ports/contact-repository.js';
import { addDays, isLeapYear } from '../../domain/birthdays.js';
import { ContactChanged, ContactEmailTaken } from '../../domain/contact.errors.js';
import type { Contact, ContactFields, ContactQuery } from '../../domain/contact.js';
import { emailKey } from '../../domain/validation.js';
import { isUniqueViolation, isUuid } from './pg-errors.js';
import { PreparedStatement, type StatementOptions, StatementRunner } from './prepared-statement.js';

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

/** Each field of a contact and the column that holds it. */
const FIELD_COLUMNS = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  birthday: 'birthday',
  notes: 'notes',
} as const satisfies Record<keyof ContactFields, string>;
const FIELDS = Object.keys(FIELD_COLUMNS) as (keyof ContactFields)[];

/** What every statement that answers contacts selects or returns; `toContact` reads it. */
const COLUMNS = `id, user_id, first_name, last_name, email, phone, ${BIRTHDAY} AS birthday, notes, version,
  ${isoInstant('created_at')} AS created_at, ${isoInstant('updated_at')} AS updated_at`;

interface ContactRow {
  id: string;
  user_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  birthday: string | null;
  notes: string | null;
  version: number | string;
  created_at: string;
  updated_at: string;
}
/** The row of a page past the end: the total, no contact. */
type NoContact = { [K in keyof ContactRow]: null };

function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    userId: row.user_id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    birthday: row.birthday,
    notes: row.notes,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The values of FIELDS, in their order, as stored. */
const fieldValues = (fields: Partial<ContactFields>, which: readonly (keyof ContactFields)[]) =>
  which.map((field) => (field === 'birthday' ? storedBirthday(fields.birthday) : fields[field]) ?? null);

// The reads every client repeats have a fixed text, prepared once per connection (see StatementRunner).
const CONTACT_BY_ID = new PreparedStatement('contacts.find_by_id.v3', `SELECT ${COLUMNS} FROM contacts WHERE id = ? AND user_id = ?`);
const INSERT = new PreparedStatement(
  'contacts.insert.v1',
  `INSERT INTO contacts (user_id, ${FIELDS.map((field) => FIELD_COLUMNS[field]).join(', ')}) VALUES (?${', ?'.repeat(FIELDS.length)}) RETURNING ${COLUMNS}`,
);

/** Rows per INSERT of an import: 7 values each, far below PostgreSQL's 65,535 bindings. */
const INSERT_BATCH = 500;

// The export's pages, by keyset on (created_at, id) along the index contacts_user_created. The
// cursor is created_at to the microsecond, so that rows created in one millisecond are never skipped.
// An ORDER BY names the table's columns: a bare created_at would be the text of COLUMNS.
const CURSOR = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor`;
const ALL_FIRST = new PreparedStatement(
  'contacts.all_first.v2',
  `SELECT ${COLUMNS}, ${CURSOR} FROM contacts WHERE user_id = ? ORDER BY contacts.created_at, contacts.id LIMIT ?`,
);
const ALL_AFTER = new PreparedStatement(
  'contacts.all_after.v2',
  `SELECT ${COLUMNS}, ${CURSOR} FROM contacts WHERE user_id = ? AND (contacts.created_at, contacts.id) > (?::timestamptz, ?::uuid)
    ORDER BY contacts.created_at, contacts.id LIMIT ?`,
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
        ? ['v5', '', `contacts WHERE ${where}`, `SELECT * FROM contacts WHERE ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`, 2]
        : [
            'v7',
            `WITH matches AS MATERIALIZED (SELECT id, created_at FROM contacts WHERE ${where}) `,
            'matches',
            'SELECT contacts.* FROM (SELECT id FROM matches ORDER BY created_at, id LIMIT ? OFFSET ?) m JOIN contacts ON contacts.id = m.id',
            1,
          ];
    const page = new PreparedStatement(
      `contacts.search_page.${name}.${combination}`,
      `${prefix}SELECT t.total AS total_count, ${COLUMNS}
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

/** `version = ANY(…)` takes the accepted versions as one array literal, whatever their number. */
const versionList = (versions: readonly number[]) => `{${versions.map((v) => Math.trunc(v)).join(',')}}`;

/**
 * One statement per set of changed fields, with or without the versions a write expects, each
 * prepared once per connection like the reads: there are at most 2 × 2⁶ of them.
 */
const updateStatements = new Map<string, PreparedStatement>();
function updateFor(changed: readonly (keyof ContactFields)[], versioned: boolean): PreparedStatement {
  // PostgreSQL cuts a statement's name at 63 characters: the set of fields goes in as a bit mask.
  const mask = changed.reduce((bits, field) => bits | (1 << FIELDS.indexOf(field)), 0);
  const key = `${mask}${versioned ? '.versioned' : ''}`;
  let statement = updateStatements.get(key);
  if (!statement) {
    const set = [...changed.map((field) => `${FIELD_COLUMNS[field]} = ?`), 'version = version + 1', 'updated_at = now()'].join(', ');
    statement = new PreparedStatement(
      `contacts.update.v1.${key}`,
      `UPDATE contacts SET ${set} WHERE id = ? AND user_id = ?${versioned ? ' AND version = ANY(?::int[])' : ''} RETURNING ${COLUMNS}`,
    );
    updateStatements.set(key, statement);
  }
  return statement;
}

const DELETE = new PreparedStatement('contacts.delete.v1', 'DELETE FROM contacts WHERE id = ? AND user_id = ? RETURNING id');
const DELETE_VERSIONED = new PreparedStatement(
  'contacts.delete_versioned.v1',
  'DELETE FROM contacts WHERE id = ? AND user_id = ? AND version = ANY(?::int[]) RETURNING id',
);

/** An import's batch: the text varies with its length, so it runs unnamed. */
function insertBatch(size: number): PreparedStatement {
  const row = `(?${', ?'.repeat(FIELDS.length)})`;
  // ON CONFLICT on the unique index settles a duplicate email in the same statement as the
  // insert, whoever else is writing; the emails returned are the rows that went in.
  return new PreparedStatement(
    null,
    `INSERT INTO contacts (user_id, ${FIELDS.map((field) => FIELD_COLUMNS[field]).join(', ')}) VALUES ${Array<string>(size).fill(row).join(', ')}
      ON CONFLICT (user_id, lower(email)) DO NOTHING RETURNING email`,
  );
}

/**
 * The birthdays in a window. The index narrows the rows by month and day; the exact date test
 * settles 29 February. Every next birthday is at most 365 days away, so a longer window needs no
 * narrowing; one that crosses the new year takes the end of this year and the start of the next.
 */
const birthdayStatements = new Map<string, PreparedStatement>();
function birthdaysFor(narrowing: 'none' | 'within' | 'across'): PreparedStatement {
  let statement = birthdayStatements.get(narrowing);
  if (!statement) {
    // The day the birthday falls on in a year given by the bindings, with that year's last day of February.
    const inYear = 'make_date(?::int, birthday_md / 100, CASE WHEN birthday_md = 229 THEN ?::int ELSE birthday_md % 100 END)';
    const next = `CASE WHEN ${inYear} >= ?::date THEN ${inYear} ELSE ${inYear} END`;
    const window = { none: '', within: ' AND birthday_md >= ? AND birthday_md <= ?', across: ' AND (birthday_md >= ? OR birthday_md <= ?)' }[narrowing];
    statement = new PreparedStatement(
      `contacts.upcoming_birthdays.v1.${narrowing}`,
      `SELECT ${COLUMNS} FROM contacts WHERE user_id = ?${window} AND ${next} <= ?::date ORDER BY ${next}, contacts.id`,
    );
    birthdayStatements.set(narrowing, statement);
  }
  return statement;
}

/**
 * Contacts in plain SQL, every statement through one StatementRunner: the reads every client
 * repeats are prepared statements on a read pool of their own, and the search is SQL the query
 * builder cannot write (a lateral join to a materialized count). See docs/decisions/persistence-styles.md.
 */
export class KnexContactRepository implements ContactRepository {
  private readonly statements: StatementRunner;

  constructor(db: Knex | Knex.Transaction, options: StatementOptions = {}) {
    this.statements = new StatementRunner(db, options);
  }

  async create(ownerId: string, fields: ContactFields): Promise<Contact> {
    try {
      const [row] = await this.statements.write<ContactRow>(INSERT, [ownerId, ...fieldValues(fields, FIELDS)]);
      return toContact(row!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ContactEmailTaken();
      throw error;
    }
  }

  async createMany(ownerId: string, list: readonly ContactFields[]): Promise<boolean[]> {
    const stored_: boolean[] = [];
    for (let start = 0; start < list.length; start += INSERT_BATCH) {
      const batch = list.slice(start, start + INSERT_BATCH);
      const rows = await this.statements.write<{ email: string | null }>(
        insertBatch(batch.length),
        batch.flatMap((fields) => [ownerId, ...fieldValues(fields, FIELDS)]),
      );
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
      const rows: (ContactRow & { cursor: string })[] = after
        ? await this.statements.read(ALL_AFTER, [ownerId, after.cursor, after.id, batchSize])
        : await this.statements.read(ALL_FIRST, [ownerId, batchSize]);
      if (rows.length > 0) yield rows.map(toContact);
      if (rows.length < batchSize) return;
      const last: ContactRow & { cursor: string } = rows[rows.length - 1]!;
      after = { cursor: last.cursor, id: last.id };
    }
  }

  async findById(ownerId: string, id: string): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.statements.read<ContactRow>(CONTACT_BY_ID, [id, ownerId]);
    return row ? toContact(row) : null;
  }

  async search(ownerId: string, query: ContactQuery): Promise<ContactPage> {
    const { page, values } = searchFor(ownerId, query);
    const rows = await this.statements.read<(ContactRow | NoContact) & { total_count: string | number }>(page, values);
    const total = Number(rows[0]?.total_count ?? 0);
    return { items: rows.filter((row): row is ContactRow & { total_count: string | number } => row.id !== null).map(toContact), total };
  }

  async update(ownerId: string, id: string, changes: Partial<ContactFields>, expectedVersions?: readonly number[]): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    const changed = FIELDS.filter((field) => changes[field] !== undefined);
    const values = [...fieldValues(changes, changed), id, ownerId, ...(expectedVersions ? [versionList(expectedVersions)] : [])];
    try {
      const [row] = await this.statements.write<ContactRow>(updateFor(changed, expectedVersions !== undefined), values);
      if (row) return toContact(row);
      return expectedVersions ? this.changedOrAbsent(ownerId, id) : null;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ContactEmailTaken();
      throw error;
    }
  }

  async delete(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<boolean> {
    if (!isUuid(id)) return false;
    const deleted = expectedVersions
      ? await this.statements.write(DELETE_VERSIONED, [id, ownerId, versionList(expectedVersions)])
      : await this.statements.write(DELETE, [id, ownerId]);
    if (deleted.length > 0) return true;
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
    const february = (y: number) => (isLeapYear(y) ? 29 : 28);
    const next = [year, february(year), today, year, february(year), year + 1, february(year + 1)];
    const from = monthDay(today);
    const to = monthDay(end) === 228 ? 229 : monthDay(end);
    const narrowing = days >= 365 ? 'none' : end.slice(0, 4) === today.slice(0, 4) ? 'within' : 'across';
    const window = narrowing === 'none' ? [] : [from, to];
    const rows = await this.statements.read<ContactRow>(birthdaysFor(narrowing), [ownerId, ...window, ...next, end, ...next]);
    return rows.map(toContact);
  }
}
