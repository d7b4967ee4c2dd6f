import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Knex } from 'knex';
import type {
  AnyContact,
  ContactChange,
  ContactPage,
  ContactRepository,
  FeedChange,
  FeedPage,
  FeedVersion,
  LabelCount,
  ListedContact,
  NewContact,
  TakenEmails,
  TrashedContact,
} from '../../application/ports/contact-repository.js';
import { addDays, isLeapYear } from '../../domain/birthdays.js';
import { ContactChanged, ContactEmailTaken } from '../../domain/contact.errors.js';
import {
  ADDRESS_PARTS,
  CONTACT_FIELDS,
  type Contact,
  type ContactFields,
  type ContactQuery,
  emailKeysOf,
  INDEPENDENT_FIELDS,
  type KeptCard,
  type LabelledValue,
  LABELS_MAX,
  labelKey,
  nameKey,
  nameKeysOf,
  nameSortKey,
  onlyIndependentFields,
  type PostalAddress,
  type StoredPhoto,
  searchPatterns,
  searchTextOf,
  uniqueLabels,
} from '../../domain/contact.js';
import { InvalidSyncToken, type SyncPosition, SyncTokenExpired } from '../../domain/sync.js';
import { Unauthenticated } from '../../domain/user.errors.js';
import { isForeignKeyViolation, isUuid } from './pg-errors.js';
import { PreparedStatement, type StatementOptions, StatementRunner } from './prepared-statement.js';

// The pg driver turns a `date` into a Date at local midnight (PGlite at UTC midnight); as text it
// is the same calendar day everywhere. Instants leave the database already in the domain's form.
export const isoInstant = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A day without a year (`--MM-DD`) is stored as that day in the year 4 (a leap year, so 29
 * February fits; see the migration 20261201_17): `birthday_md` and its index then serve both kinds.
 * `anniversary` follows the same convention.
 */
const YEARLESS_YEAR = '0004';
const dayText = (column: string) =>
  `CASE WHEN ${column} < DATE '1000-01-01' THEN '--' || to_char(${column}, 'MM-DD') ELSE to_char(${column}, 'YYYY-MM-DD') END`;
const storedDay = (day: string | null) => (day?.startsWith('--') ? `${YEARLESS_YEAR}${day.slice(1)}` : day);

/** Each field of a contact and the column that holds it (with its cast, for the untyped bindings of a VALUES list). */
const FIELD_COLUMNS = {
  firstName: ['first_name', 'text'],
  lastName: ['last_name', 'text'],
  middleName: ['middle_name', 'text'],
  prefix: ['prefix', 'text'],
  suffix: ['suffix', 'text'],
  nickname: ['nickname', 'text'],
  organization: ['organization', 'text'],
  department: ['department', 'text'],
  jobTitle: ['job_title', 'text'],
  emails: ['emails', 'jsonb'],
  phones: ['phones', 'jsonb'],
  addresses: ['addresses', 'jsonb'],
  urls: ['urls', 'jsonb'],
  birthday: ['birthday', 'date'],
  anniversary: ['anniversary', 'date'],
  notes: ['notes', 'text'],
  labels: ['labels', 'text[]'],
} as const satisfies Record<keyof ContactFields, readonly [string, string]>;

/** What the repository derives from the fields on every write (the domain's functions; see the migration 20261206_19). */
const DERIVED_COLUMNS = [
  ['search_text', 'text'],
  ['email_keys', 'text[]'],
  ['label_keys', 'text[]'],
  ['name_keys', 'text[]'],
  ['name_sort', 'text'],
] as const;

/** The columns every write of a contact's fields sets, in the order of `writtenValues`. */
const WRITTEN = [...CONTACT_FIELDS.map((field) => FIELD_COLUMNS[field]), ...DERIVED_COLUMNS];

/** A `text[]` as one array literal: the same binding works on pg and PGlite, whatever the number of entries. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/** The values of WRITTEN, in order, for a contact's whole fields, as JSON has them (lists and arrays as arrays). */
function writtenRecord(fields: ContactFields): unknown[] {
  const values = CONTACT_FIELDS.map((field): unknown => (field === 'birthday' || field === 'anniversary' ? storedDay(fields[field]) : fields[field]));
  return [...values, searchTextOf(fields), emailKeysOf(fields), fields.labels.map(labelKey), nameKeysOf(fields), nameSortKey(fields)];
}

/** The values of WRITTEN, in order, as bindings: jsonb as its text, `text[]` as an array literal. */
function writtenValues(fields: ContactFields): unknown[] {
  return writtenRecord(fields).map((value, i) => {
    const type = WRITTEN[i]![1];
    if (type === 'jsonb') return JSON.stringify(value);
    if (type === 'text[]') return textArray(value as string[]);
    return value;
  });
}

/**
 * What the list selects: every column a contact answers but the kept card, which only the export
 * and CardDAV read (an imported card's properties can be many times the size of its fields), and
 * the owner, whom the list was asked for. `toListedContact` reads it.
 */
const LISTED_COLUMNS = `id, first_name, last_name, middle_name, prefix, suffix, nickname, organization, department, job_title,
  emails, phones, addresses, urls, ${dayText('birthday')} AS birthday, ${dayText('anniversary')} AS anniversary, notes, labels,
  photo_url, photo_key, version, ${isoInstant('created_at')} AS created_at, ${isoInstant('updated_at')} AS updated_at`;
/** What every other statement that answers contacts selects or returns; `toContact` reads it. */
const COLUMNS = `${LISTED_COLUMNS}, user_id, card`;

interface ListedRow {
  id: string;
  first_name: string;
  last_name: string;
  middle_name: string;
  prefix: string;
  suffix: string;
  nickname: string;
  organization: string;
  department: string;
  job_title: string;
  emails: LabelledValue[];
  phones: LabelledValue[];
  addresses: PostalAddress[];
  urls: LabelledValue[];
  birthday: string | null;
  anniversary: string | null;
  notes: string | null;
  labels: string[];
  photo_url: string | null;
  photo_key: string | null;
  version: number | string;
  created_at: string;
  updated_at: string;
}
interface ContactRow extends ListedRow {
  user_id: string;
  card: KeptCard | null;
}
/** The row of a page past the end: the total, no contact. */
type NoContact = { [K in keyof ListedRow]: null };

// jsonb keeps an object's keys in an order of its own: entries are rebuilt in the model's order.
const entry = (e: LabelledValue): LabelledValue => ({ value: e.value, label: e.label });
function address(a: PostalAddress): PostalAddress {
  const rebuilt = { label: a.label } as PostalAddress;
  for (const part of ADDRESS_PARTS) rebuilt[part] = a[part];
  return rebuilt;
}

function toContact(row: ContactRow): Contact {
  const contact = toListedContact(row, row.user_id) as Contact;
  contact.card = row.card;
  return contact;
}

function toListedContact(row: ListedRow, userId: string): ListedContact {
  return {
    id: row.id,
    userId,
    firstName: row.first_name,
    lastName: row.last_name,
    middleName: row.middle_name,
    prefix: row.prefix,
    suffix: row.suffix,
    nickname: row.nickname,
    organization: row.organization,
    department: row.department,
    jobTitle: row.job_title,
    emails: row.emails.map(entry),
    phones: row.phones.map(entry),
    addresses: row.addresses.map(address),
    urls: row.urls.map(entry),
    birthday: row.birthday,
    anniversary: row.anniversary,
    notes: row.notes,
    labels: row.labels,
    version: Number(row.version),
    photo: row.photo_url !== null && row.photo_key !== null ? { url: row.photo_url, key: row.photo_key } : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const fieldsOf = (contact: Contact): ContactFields => Object.fromEntries(CONTACT_FIELDS.map((f) => [f, contact[f]])) as unknown as ContactFields;
const definedFields = (fields: Partial<ContactFields>) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
const isComplete = (fields: Partial<ContactFields>): fields is ContactFields => CONTACT_FIELDS.every((f) => fields[f] !== undefined);

// The reads every client repeats have a fixed text, prepared once per connection (see StatementRunner).
// Every view of the book reads live contacts only (`deleted_at IS NULL`); the trash has its own.
const CONTACT_BY_ID = new PreparedStatement('contacts.find_by_id.v5', `SELECT ${COLUMNS} FROM contacts WHERE id = ? AND user_id = ? AND deleted_at IS NULL`);
const CONTACT_FOR_UPDATE = new PreparedStatement(
  'contacts.for_update.v2',
  `SELECT ${COLUMNS} FROM contacts WHERE id = ? AND user_id = ? AND deleted_at IS NULL FOR UPDATE`,
);
const CONTACTS_BY_IDS = new PreparedStatement(
  'contacts.find_by_ids.v2',
  `SELECT ${COLUMNS} FROM contacts WHERE user_id = ? AND id = ANY(?::uuid[]) AND deleted_at IS NULL`,
);
const ANY_CONTACT_BY_ID = new PreparedStatement(
  'contacts.find_any_by_id.v1',
  `SELECT ${COLUMNS}, ${isoInstant('deleted_at')} AS deleted_at FROM contacts WHERE id = ? AND user_id = ?`,
);

/**
 * The book's change counter (see the migration 20261206_20): every write of a book takes the next
 * number here, in its own transaction, and stamps the contacts it writes with it. The row's lock
 * is held to the end of the transaction, so the book's writers take their numbers in the order
 * they commit. As the first CTE of a single statement (`WITH book AS (…)`, the owner its first
 * binding), the statement's other parts read `(SELECT user_id FROM book)` in their WHERE, so that
 * the counter is locked before any contact row: every write locks the book first, then contacts,
 * and two writes never wait on each other in opposite orders. A transaction takes it with BUMP
 * before it locks any contact.
 */
export const BUMP_SQL = `INSERT INTO contact_books AS b (user_id, last_change) VALUES (?::uuid, 1)
  ON CONFLICT (user_id) DO UPDATE SET last_change = b.last_change + 1 RETURNING b.user_id, b.last_change`;
export const WITH_BOOK = `WITH book AS (${BUMP_SQL}) `;
export const BOOK_CHANGE = '(SELECT last_change FROM book)';
const BOOK_OWNER = '(SELECT user_id FROM book)';
const BUMP = new PreparedStatement('contacts.bump_book.v1', BUMP_SQL);
const BOOK = new PreparedStatement('contacts.book.v1', 'SELECT last_change, oldest_change FROM contact_books WHERE user_id = ?');

/** One row of an INSERT: the id, the owner, the card, the written columns, and how many microseconds after now() it was created. */
const INSERT_ROW = `(?::uuid, ?::uuid, ?::jsonb, ?::text, ?::text, ${WRITTEN.map(([, type]) => `?::${type}`).join(', ')}, now() + ?::int * interval '1 microsecond')`;
const INSERT_COLUMNS = `id, user_id, card, photo_url, photo_key, ${WRITTEN.map(([column]) => column).join(', ')}, created_at`;
const INSERT = new PreparedStatement(
  'contacts.insert.v4',
  `${WITH_BOOK}INSERT INTO contacts (${INSERT_COLUMNS}, change_seq) SELECT v.*, ${BOOK_CHANGE} FROM (VALUES ${INSERT_ROW}) v RETURNING ${COLUMNS}`,
);
const insertValues = (id: string, ownerId: string, contact: NewContact, offset: number) => [
  id,
  ownerId,
  contact.card ? JSON.stringify(contact.card) : null,
  contact.photo?.url ?? null,
  contact.photo?.key ?? null,
  ...writtenValues(contact.fields),
  offset,
];

/**
 * An import's rows, a batch per statement: the rows go in as one jsonb array (one binding, one
 * fixed text, prepared once per connection) rather than as 28 bindings a row, which PostgreSQL
 * would parse and plan anew for every batch.
 */
const INSERT_BATCH = 500;
/** Rows of an import made and encoded between two turns of the event loop (a rich row takes tens of microseconds). */
const ROWS_PER_TURN = 50;
const INSERT_MANY = new PreparedStatement(
  'contacts.insert_many.v3',
  `INSERT INTO contacts (${INSERT_COLUMNS}, change_seq)
    SELECT id, user_id, card, photo_url, photo_key, ${WRITTEN.map(([column]) => column).join(', ')}, now() + n * interval '1 microsecond', ?::bigint
    FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, user_id uuid, card jsonb, photo_url text, photo_key text, ${WRITTEN.map(([column, type]) => `${column} ${type}`).join(', ')}, n int)`,
);
/** One row of INSERT_MANY: the id, the owner, the card, the written columns, and how many microseconds after now() it was created. */
function insertRecord(id: string, ownerId: string, contact: NewContact, offset: number): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id,
    user_id: ownerId,
    card: contact.card ?? null,
    photo_url: contact.photo?.url ?? null,
    photo_key: contact.photo?.key ?? null,
    n: offset,
  };
  writtenRecord(contact.fields).forEach((value, i) => {
    record[WRITTEN[i]![0]] = value;
  });
  return record;
}

// A per-book lock held to the end of the transaction (which a transaction-mode pooler keeps): the
// writes that refuse taken emails check and write under it, so two cannot both add one address.
export const LOCK_BOOK = new PreparedStatement('contacts.lock_book.v1', `SELECT pg_advisory_xact_lock(hashtextextended('contacts ' || ?::text, 0))`);
// The holders are found through the GIN index on email_keys, then ordered: with `ORDER BY … LIMIT 1`
// straight on the table the planner walks the book in creation order instead (docs/measurements.md).
export const EMAIL_HOLDER = new PreparedStatement(
  'contacts.email_holder.v3',
  `WITH holders AS MATERIALIZED (SELECT id, created_at FROM contacts WHERE user_id = ? AND id <> ? AND email_keys && ?::text[] AND deleted_at IS NULL)
    SELECT id FROM holders ORDER BY created_at, id LIMIT 1`,
);
// An import's holders: its keys (thousands) go in as one array matched by hash against each key of
// the book's contacts, once per key. PostgreSQL hashes `= ANY(array)` only when it plans the
// statement with the array as a constant (a custom plan); the generic plan a prepared statement
// switches to after five runs compares each key with the whole array, and the sixth 5,000-card
// import into a book of 25,000 passed the statement timeout. So the import's transaction asks for
// custom plans first (SET LOCAL: gone at the end of the transaction, kept by a transaction pooler).
const CUSTOM_PLANS = new PreparedStatement('contacts.custom_plans.v1', `SET LOCAL plan_cache_mode = force_custom_plan`);
const EMAIL_HOLDERS = new PreparedStatement(
  'contacts.email_holders.v3',
  `SELECT c.id, array_agg(k.key) AS email_keys FROM contacts c CROSS JOIN LATERAL unnest(c.email_keys) AS k(key)
    WHERE c.user_id = ? AND c.deleted_at IS NULL AND k.key = ANY(?::text[])
    GROUP BY c.id, c.created_at ORDER BY c.created_at, c.id`,
);
export const NO_ID = '00000000-0000-0000-0000-000000000000';
/** Reads and conditional writes a partial update tries before it takes the locked path. */
const PARTIAL_UPDATE_ATTEMPTS = 3;

/**
 * The whole of a contact's fields and what derives from them, and the card when the flag says so;
 * a statement for each of: with or without the versions the write expects, and with or without the
 * guard that the contact gains no email (`email_keys @> new keys`), which lets a `refuse` write
 * that adds no address skip the book's lock.
 */
const updateStatements = new Map<string, PreparedStatement>();
function updateFor(versioned: boolean, guarded: boolean): PreparedStatement {
  const key = `${versioned ? 'v' : ''}${guarded ? 'g' : ''}`;
  let statement = updateStatements.get(key);
  if (!statement) {
    const set = [
      ...WRITTEN.map(([column, type]) => `${column} = ?::${type}`),
      'card = CASE WHEN ?::boolean THEN ?::jsonb ELSE card END',
      'version = version + 1',
      'updated_at = now()',
      `change_seq = ${BOOK_CHANGE}`,
    ].join(', ');
    statement = new PreparedStatement(
      `contacts.update.v3.${key || 'plain'}`,
      `${WITH_BOOK}UPDATE contacts SET ${set} WHERE id = ? AND user_id = ${BOOK_OWNER} AND deleted_at IS NULL${versioned ? ' AND version = ANY(?::int[])' : ''}${guarded ? ' AND email_keys @> ?::text[]' : ''}
        RETURNING ${COLUMNS}`,
    );
    updateStatements.set(key, statement);
  }
  return statement;
}

/**
 * A change of INDEPENDENT_FIELDS alone: those columns set as they are, nothing derived to work out
 * again, so no read first. One statement per set of fields (a bit mask in the name, which
 * PostgreSQL cuts at 63 characters), with or without the versions the write expects.
 */
const independentStatements = new Map<string, PreparedStatement>();
export function independentUpdateFor(changed: readonly (keyof ContactFields)[], versioned: boolean): PreparedStatement {
  const mask = changed.reduce((bits, field) => bits | (1 << INDEPENDENT_FIELDS.indexOf(field as (typeof INDEPENDENT_FIELDS)[number])), 0);
  const key = `${mask}${versioned ? '.v' : ''}`;
  let statement = independentStatements.get(key);
  if (!statement) {
    const set = [
      ...changed.map((field) => `${FIELD_COLUMNS[field][0]} = ?::${FIELD_COLUMNS[field][1]}`),
      'version = version + 1',
      'updated_at = now()',
      `change_seq = ${BOOK_CHANGE}`,
    ];
    statement = new PreparedStatement(
      `contacts.update_independent.v2.${key}`,
      `${WITH_BOOK}UPDATE contacts SET ${set.join(', ')} WHERE id = ? AND user_id = ${BOOK_OWNER} AND deleted_at IS NULL${versioned ? ' AND version = ANY(?::int[])' : ''} RETURNING ${COLUMNS}`,
    );
    independentStatements.set(key, statement);
  }
  return statement;
}

/** The photo and the one it replaces, read under the row's lock in the same statement. */
const photoStatement = (versioned: boolean) =>
  new PreparedStatement(
    `contacts.set_photo.v2${versioned ? '.versioned' : ''}`,
    `${WITH_BOOK}UPDATE contacts SET photo_url = ?, photo_key = ?, version = contacts.version + 1, updated_at = now(), change_seq = ${BOOK_CHANGE}
      FROM (SELECT id AS old_id, photo_url AS previous_url, photo_key AS previous_key FROM contacts
        WHERE id = ? AND user_id = ${BOOK_OWNER} AND deleted_at IS NULL FOR UPDATE) old
      WHERE contacts.id = old.old_id${versioned ? ' AND contacts.version = ANY(?::int[])' : ''}
      RETURNING ${COLUMNS}, old.previous_url, old.previous_key`,
  );
const SET_PHOTO = photoStatement(false);
const SET_PHOTO_VERSIONED = photoStatement(true);

/** Into the trash: the contact keeps everything (updated_at too, so that a restore gives it back as it was). */
const trashStatement = (versioned: boolean) =>
  new PreparedStatement(
    `contacts.trash.v1${versioned ? '.versioned' : ''}`,
    `${WITH_BOOK}UPDATE contacts SET deleted_at = now(), version = version + 1, change_seq = ${BOOK_CHANGE}
      WHERE id = ? AND user_id = ${BOOK_OWNER} AND deleted_at IS NULL${versioned ? ' AND version = ANY(?::int[])' : ''} RETURNING id`,
  );
export const TRASH = trashStatement(false);
const TRASH_VERSIONED = trashStatement(true);
const TRASHED_FOR_UPDATE = new PreparedStatement(
  'contacts.trashed_for_update.v1',
  `SELECT ${COLUMNS} FROM contacts WHERE id = ? AND user_id = ? AND deleted_at IS NOT NULL FOR UPDATE`,
);
const RESTORE = new PreparedStatement(
  'contacts.restore.v1',
  `UPDATE contacts SET deleted_at = NULL, version = version + 1, change_seq = ? WHERE id = ? AND user_id = ? RETURNING ${COLUMNS}`,
);
const TRASH_PAGE = new PreparedStatement(
  'contacts.trash_page.v1',
  `SELECT ${COLUMNS}, ${isoInstant('deleted_at')} AS deleted_at FROM contacts WHERE user_id = ? AND deleted_at IS NOT NULL
    ORDER BY contacts.deleted_at DESC, contacts.id LIMIT ? OFFSET ?`,
);
const TRASH_COUNT = new PreparedStatement('contacts.trash_count.v1', 'SELECT count(*) AS count FROM contacts WHERE user_id = ? AND deleted_at IS NOT NULL');
/**
 * Purging: the contacts leave the table and each leaves a tombstone numbered with the purge, in one
 * statement. A DELETE … RETURNING answers a row to one statement only, so a contact two instances
 * purge at once is purged (and its photo answered) once.
 */
const purgeStatement = (which: 'one' | 'all' | 'expired') =>
  new PreparedStatement(
    `contacts.purge.v1.${which}`,
    `${WITH_BOOK}, gone AS (DELETE FROM contacts WHERE user_id = ${BOOK_OWNER} AND deleted_at IS NOT NULL${
      { one: ' AND id = ?', all: '', expired: ' AND deleted_at < ?::timestamptz' }[which]
    } RETURNING id, user_id, photo_url, photo_key),
    stones AS (INSERT INTO contact_tombstones (user_id, contact_id, change_seq) SELECT user_id, id, ${BOOK_CHANGE} FROM gone)
    SELECT id, photo_url, photo_key FROM gone`,
  );
const PURGE_ONE = purgeStatement('one');
const PURGE_ALL = purgeStatement('all');
const PURGE_EXPIRED = purgeStatement('expired');
const EXPIRED_BOOKS = new PreparedStatement(
  'contacts.expired_books.v1',
  'SELECT DISTINCT user_id FROM (SELECT user_id FROM contacts WHERE deleted_at < ?::timestamptz LIMIT ?) t',
);
/**
 * Forgets tombstones older than the cutoff (purged contacts', and deleted group cards'), and raises
 * each book's oldest answerable change past them. One instance at a time (a try-lock: the others
 * skip), so two never lock books in turn.
 */
const FORGET_LOCK = new PreparedStatement('contacts.forget_lock.v1', `SELECT pg_try_advisory_xact_lock(hashtextextended('contact tombstones', 0)) AS locked`);
const FORGET_TOMBSTONES = new PreparedStatement(
  'contacts.forget_tombstones.v2',
  `WITH contacts_gone AS (DELETE FROM contact_tombstones WHERE purged_at < ?::timestamptz RETURNING user_id, change_seq),
      groups_gone AS (DELETE FROM contact_groups WHERE deleted_at < ?::timestamptz RETURNING user_id, change_seq),
      gone AS (SELECT * FROM contacts_gone UNION ALL SELECT * FROM groups_gone)
    UPDATE contact_books b SET oldest_change = greatest(b.oldest_change, g.change_seq)
    FROM (SELECT user_id, max(change_seq) AS change_seq FROM gone GROUP BY user_id) g WHERE b.user_id = g.user_id`,
);

/**
 * The book's changes after a position, in one statement (one snapshot): the contacts written and
 * the tombstones numbered after it, by (change_seq, id), with the book's counter read in the same
 * snapshot (every change up to it is committed and visible). Live contacts come with their
 * columns; trashed ones and tombstones at or below the floor are left out. Each change comes with
 * its CardDAV resource name, when it has one (dav_resources outlives a purged contact). A book
 * without changes past the position gives one row, with only the book's counters.
 * The keyset walk is the function contacts_feed_page (migration 20261206_25), whose plan is made
 * once per connection rather than on every execution.
 */
const feedStatement = (name: string, columns: string) =>
  new PreparedStatement(
    name,
    `SELECT f.book_last, f.book_oldest, f.groups_last, f.feed_id, f.feed_seq, f.feed_deleted, r.name AS feed_dav_name, r.uid AS feed_dav_uid, c.*
      FROM contacts_feed_page(?::uuid, ?::bigint, ?::uuid, ?::bigint, ?::integer) f
      LEFT JOIN LATERAL (SELECT ${columns} FROM contacts WHERE contacts.id = f.feed_id AND NOT f.feed_deleted) c ON true
      LEFT JOIN dav_resources r ON r.contact_id = f.feed_id
      ORDER BY f.feed_seq, f.feed_id`,
  );
/** A row of a feed statement: the book's counters, the change, and the contact's columns (none for a removal). */
type FeedRow = Partial<ContactRow> & {
  book_last: string | number;
  book_oldest: string | number;
  groups_last: string | number;
  feed_id: string | null;
  feed_seq: string | number | null;
  feed_deleted: boolean | null;
  feed_dav_name: string | null;
  feed_dav_uid: string | null;
};
const FEED = feedStatement('contacts.feed.v4', COLUMNS);
/** The same page with each live contact's version and last write only (versionsSince). */
const FEED_VERSIONS = feedStatement('contacts.feed_versions.v1', `version, ${isoInstant('updated_at')} AS updated_at`);

// Labels: `labels` and `label_keys` hold one entry each per label, in the same order. A label's
// name is its spelling on the oldest contact that has it.
const labelCounts = (where: string) =>
  `SELECT (array_agg(l.name ORDER BY c.created_at, c.id))[1] AS name, count(*) AS count
    FROM contacts c CROSS JOIN LATERAL unnest(c.labels, c.label_keys) AS l(name, key)
    WHERE c.user_id = ? AND c.deleted_at IS NULL${where} GROUP BY l.key ORDER BY l.key COLLATE "C"`;
const LABELS = new PreparedStatement('contacts.labels.v2', labelCounts(''));
const LABEL = new PreparedStatement('contacts.label.v2', labelCounts(' AND l.key = ?'));
// Trashed contacts keep their labels as they were: a restore gives them back as deleted.
/** The live contacts carrying a label, and those of the given ids (a group's named members), locked for a relabel. */
const CARRYING_LABEL = new PreparedStatement(
  'contacts.carrying_label.v3',
  `SELECT ${COLUMNS} FROM contacts WHERE user_id = ? AND (label_keys @> ?::text[] OR id = ANY(?::uuid[])) AND deleted_at IS NULL
    ORDER BY contacts.created_at, contacts.id FOR UPDATE`,
);
/** New labels for many contacts in one statement (a rename or removal of a label). */
const SET_LABELS = new PreparedStatement(
  'contacts.set_labels.v2',
  `UPDATE contacts SET labels = v.labels, label_keys = v.label_keys, search_text = v.search_text, version = version + 1, updated_at = now(),
      change_seq = ?::bigint
    FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, labels text[], label_keys text[], search_text text)
    WHERE contacts.id = v.id AND contacts.user_id = ?`,
);

// The export's pages, by keyset on (created_at, id) along the index contacts_user_live. The
// cursor is created_at to the microsecond, so that rows created in one millisecond are never skipped.
// An ORDER BY names the table's columns: a bare created_at would be the text of COLUMNS.
const CURSOR = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor`;
const ALL_FIRST = new PreparedStatement(
  'contacts.all_first.v4',
  `SELECT ${COLUMNS}, ${CURSOR} FROM contacts WHERE user_id = ? AND deleted_at IS NULL ORDER BY contacts.created_at, contacts.id LIMIT ?`,
);
const ALL_AFTER = new PreparedStatement(
  'contacts.all_after.v4',
  `SELECT ${COLUMNS}, ${CURSOR} FROM contacts WHERE user_id = ? AND deleted_at IS NULL AND (contacts.created_at, contacts.id) > (?::timestamptz, ?::uuid)
    ORDER BY contacts.created_at, contacts.id LIMIT ?`,
);

/**
 * The list's optional filters, each a condition on the contact and its values. `q` is searchKey'd
 * text (search_text holds searchKey'd lines, so a plain LIKE, which the trigram index serves),
 * or, when it reads like a phone number, that or its digits.
 */
const FILTERS = [
  {
    name: 'q',
    sql: 'search_text LIKE ?',
    values: (q: ContactQuery) => (q.q === undefined || searchPatterns(q.q).digits !== null ? null : [containing(searchPatterns(q.q).text)]),
  },
  {
    name: 'qd',
    sql: '(search_text LIKE ? OR search_text LIKE ?)',
    values: (q: ContactQuery) => {
      const patterns = q.q === undefined ? null : searchPatterns(q.q);
      return patterns?.digits ? [containing(patterns.text), containing(patterns.digits)] : null;
    },
  },
  { name: 'label', sql: 'label_keys @> ?::text[]', values: (q: ContactQuery) => (q.label === undefined ? null : [textArray([labelKey(q.label)])]) },
  { name: 'first', sql: 'first_name ILIKE ?', values: (q: ContactQuery) => (q.firstName === undefined ? null : [containing(q.firstName)]) },
  { name: 'last', sql: 'last_name ILIKE ?', values: (q: ContactQuery) => (q.lastName === undefined ? null : [containing(q.lastName)]) },
  {
    name: 'email',
    sql: 'EXISTS (SELECT 1 FROM unnest(email_keys) AS k WHERE k LIKE ?)',
    values: (q: ContactQuery) => (q.email === undefined ? null : [containing(q.email.toLowerCase())]),
  },
] as const;

/** Each sort's key: what the matches carry, and the order of the page. */
const SORTS = {
  created: { carried: '', order: (t: string) => `${t}created_at, ${t}id` },
  name: { carried: ', name_sort', order: (t: string) => `${t}name_sort, ${t}created_at, ${t}id` },
  // Whole-name matches (q equals a name key), then prefixes, then the rest.
  relevance: {
    carried:
      ', CASE WHEN ?::text = ANY(name_keys) THEN 0 WHEN EXISTS (SELECT 1 FROM unnest(name_keys) AS k WHERE starts_with(k, ?)) THEN 1 ELSE 2 END AS sort_rank',
    order: (t: string) => `${t}sort_rank, ${t}created_at, ${t}id`,
  },
} as const;

/**
 * One statement per combination of filters and sort rather than one with every filter optional
 * (`? IS NULL OR …`): PostgreSQL cannot reuse a generic plan for the latter and plans it again on
 * every call. The statement counts the matches and joins the page to the count, so the total comes
 * in the same round trip, also for a page past the end (one row: the total, the contact all null).
 *
 * Without filters the count is an index-only scan and the page reads just its rows; a window count
 * (`count(*) OVER ()`) would read and buffer every contact of the owner (docs/measurements.md).
 *
 * With filters the matches are gathered once (a materialized CTE of their ids and sort keys, so
 * that long notes are not copied), then counted and paged, and the page's rows read by id:
 * counting and paging straight from the table would test every pattern twice, and a rare match
 * costs the page a scan of the whole book (docs/measurements.md).
 */
const searchStatements = new Map<string, PreparedStatement>();
function searchFor(ownerId: string, query: ContactQuery): { page: PreparedStatement; values: unknown[] } {
  const used = FILTERS.map((filter) => ({ filter, values: filter.values(query) })).filter(
    (u): u is { filter: (typeof FILTERS)[number]; values: string[] } => u.values !== null,
  );
  const sort = query.sort === 'relevance' && query.q === undefined ? 'created' : query.sort;
  const combination = `${used.map(({ filter }) => filter.name).join('+') || 'all'}.${sort}`;
  let page = searchStatements.get(combination);
  if (!page) {
    const where = ['user_id = ? AND deleted_at IS NULL', ...used.map(({ filter }) => filter.sql)].join(' AND ');
    const order = SORTS[sort].order;
    const [prefix, counted, paged] =
      used.length === 0
        ? ['', `contacts WHERE ${where}`, `SELECT * FROM contacts WHERE ${where} ORDER BY ${order('')} LIMIT ? OFFSET ?`]
        : [
            `WITH matches AS MATERIALIZED (SELECT id, created_at${SORTS[sort].carried} FROM contacts WHERE ${where}) `,
            'matches',
            `SELECT contacts.*${sort === 'relevance' ? ', m.sort_rank' : ''} FROM (SELECT * FROM matches ORDER BY ${order('')} LIMIT ? OFFSET ?) m JOIN contacts ON contacts.id = m.id`,
          ];
    page = new PreparedStatement(
      `contacts.search.v11.${combination}`,
      `${prefix}SELECT t.total AS total_count, ${LISTED_COLUMNS}
        FROM (SELECT count(*)::int AS total FROM ${counted}) t
        LEFT JOIN LATERAL (${paged}) c ON true
        ORDER BY ${order('c.')}`,
    );
    searchStatements.set(combination, page);
  }
  const rank = sort === 'relevance' ? [nameKey(query.q!), nameKey(query.q!)] : [];
  const filtered = [ownerId, ...used.flatMap((u) => u.values)];
  const values = used.length === 0 ? [...filtered, ...filtered] : [...rank, ...filtered];
  return { page, values: [...values, query.limit, query.offset] };
}

/** A LIKE pattern matching `text` anywhere, with the user's `%`, `_` and `\` taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Month and day as the number the `birthday_md` column holds: 1 March is 301. */
function monthDay(day: string): number {
  return Number(day.slice(5, 7)) * 100 + Number(day.slice(8, 10));
}

/**
 * The contacts' statements. A write takes the book's counter (BUMP_SQL), whose row has a foreign
 * key to its owner: for an account deleted while the request was in flight that is a
 * foreign_key_violation, which is the answer a deleted account gets everywhere (Unauthenticated:
 * its tokens are dead), not a failure of the service.
 */
class BookStatements extends StatementRunner {
  override async write<Row>(statement: PreparedStatement, values: readonly unknown[]): Promise<Row[]> {
    try {
      return await super.write<Row>(statement, values);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new Unauthenticated();
      throw error;
    }
  }
}

/** Takes the book's next change number in the transaction of `statements` (see BUMP_SQL). */
async function bump(statements: StatementRunner, ownerId: string): Promise<number> {
  const [row] = await statements.write<{ last_change: string | number }>(BUMP, [ownerId]);
  return Number(row!.last_change);
}

const MAX_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

function photosOf(rows: readonly { photo_url: string | null; photo_key: string | null }[]): StoredPhoto[] {
  return rows.flatMap((row) => (row.photo_url !== null && row.photo_key !== null ? [{ url: row.photo_url, key: row.photo_key }] : []));
}

/** `version = ANY(…)` takes the accepted versions as one array literal, whatever their number. */
const versionList = (versions: readonly number[]) => `{${versions.map((v) => Math.trunc(v)).join(',')}}`;

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
      `contacts.upcoming_birthdays.v3.${narrowing}`,
      `SELECT ${COLUMNS} FROM contacts WHERE user_id = ? AND deleted_at IS NULL${window} AND ${next} <= ?::date ORDER BY ${next}, contacts.id`,
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
    this.statements = new BookStatements(db, options);
  }

  /** Runs work in a transaction: this repository's own when it is in one, else a new one. */
  private inTransaction<T>(work: (statements: StatementRunner) => Promise<T>): Promise<T> {
    return this.statements.transaction(work);
  }

  async create(ownerId: string, contact: NewContact, takenEmails: TakenEmails): Promise<Contact> {
    const keys = emailKeysOf(contact.fields);
    const insert = async (statements: StatementRunner) => {
      const [row] = await statements.write<ContactRow>(INSERT, [ownerId, ...insertValues(randomUUID(), ownerId, contact, 0)]);
      return toContact(row!);
    };
    if (takenEmails === 'allow' || keys.length === 0) return insert(this.statements);
    return this.inTransaction(async (statements) => {
      await statements.write(LOCK_BOOK, [ownerId]);
      const [holder] = await statements.write<{ id: string }>(EMAIL_HOLDER, [ownerId, NO_ID, textArray(keys)]);
      if (holder) throw new ContactEmailTaken(holder.id);
      return insert(statements);
    });
  }

  async createMany(ownerId: string, list: readonly NewContact[]): Promise<(string | null)[]> {
    if (list.length === 0) return [];
    return this.inTransaction(async (statements) => {
      await statements.write(LOCK_BOOK, [ownerId]);
      // One number for the whole import: the feed tells its contacts apart by id.
      const change = await bump(statements, ownerId);
      const wanted = new Set(list.flatMap((c) => emailKeysOf(c.fields)));
      const holders = new Map<string, string>();
      if (wanted.size > 0) {
        await statements.write(CUSTOM_PLANS, []);
        const rows = await statements.write<{ id: string; email_keys: string[] }>(EMAIL_HOLDERS, [ownerId, textArray([...wanted])]);
        for (const row of rows) for (const key of row.email_keys) if (!holders.has(key)) holders.set(key, row.id);
      }
      const answers: (string | null)[] = [];
      // Each row is encoded as it is made and a batch is sent once full, so no step holds the
      // event loop for more than ROWS_PER_TURN rows, and no more than a batch of JSON is held.
      let batch: string[] = [];
      let inserted = 0;
      const send = async () => {
        if (batch.length > 0) await statements.write(INSERT_MANY, [change, `[${batch.join(',')}]`]);
        batch = [];
      };
      for (const [i, contact] of list.entries()) {
        if (i % ROWS_PER_TURN === ROWS_PER_TURN - 1) await nextTurn();
        const keys = emailKeysOf(contact.fields);
        const holder = keys.map((key) => holders.get(key)).find((id) => id !== undefined);
        if (holder !== undefined) {
          answers.push(holder);
          continue;
        }
        const id = randomUUID();
        for (const key of keys) holders.set(key, id);
        // A microsecond apart, so the book lists them in the order they came.
        batch.push(JSON.stringify(insertRecord(id, ownerId, contact, inserted)));
        inserted += 1;
        answers.push(null);
        if (batch.length === INSERT_BATCH) await send();
      }
      await send();
      return answers;
    });
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

  async findByIds(ownerId: string, ids: readonly string[]): Promise<Contact[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return [];
    const rows = await this.statements.read<ContactRow>(CONTACTS_BY_IDS, [ownerId, `{${valid.join(',')}}`]);
    return rows.map(toContact);
  }

  async search(ownerId: string, query: ContactQuery): Promise<ContactPage> {
    const { page, values } = searchFor(ownerId, query);
    const rows = await this.statements.read<(ListedRow | NoContact) & { total_count: number }>(page, values);
    const items: ListedContact[] = [];
    for (const row of rows) if (row.id !== null) items.push(toListedContact(row as ListedRow, ownerId));
    return { items, total: rows[0]?.total_count ?? 0 };
  }

  async update(ownerId: string, id: string, change: ContactChange, takenEmails: TakenEmails, expectedVersions?: readonly number[]): Promise<Contact | null> {
    if (!isUuid(id)) return null;
    const card = change.card === undefined ? [false, null] : [true, change.card === null ? null : JSON.stringify(change.card)];
    const guarded = takenEmails === 'refuse';
    // One statement, unless under `refuse` the contact gains an email, which the guard
    // (`email_keys @> new keys`) tells: then the locked path below.
    const write = async (fields: ContactFields, versions: readonly number[] | undefined) => {
      const values = [
        ownerId,
        ...writtenValues(fields),
        ...card,
        id,
        ...(versions ? [versionList(versions)] : []),
        ...(guarded ? [textArray(emailKeysOf(fields))] : []),
      ];
      const [row] = await this.statements.write<ContactRow>(updateFor(versions !== undefined, guarded), values);
      return row ? toContact(row) : null;
    };
    if (change.card === undefined && onlyIndependentFields(change.fields)) {
      const changed = INDEPENDENT_FIELDS.filter((field) => change.fields[field] !== undefined);
      const values = [
        ownerId,
        ...changed.map((field) => {
          const value = change.fields[field]!;
          if (field === 'birthday' || field === 'anniversary') return storedDay(value as string | null);
          return FIELD_COLUMNS[field][1] === 'jsonb' ? JSON.stringify(value) : value;
        }),
        id,
        ...(expectedVersions ? [versionList(expectedVersions)] : []),
      ];
      const [row] = await this.statements.write<ContactRow>(independentUpdateFor(changed, expectedVersions !== undefined), values);
      if (row) return toContact(row);
      return expectedVersions ? this.changedOrAbsent(ownerId, id) : null;
    }
    if (isComplete(change.fields)) {
      // The whole fields (a PUT, or a PATCH applied to what the caller read).
      const written = await write(change.fields, expectedVersions);
      if (written) return written;
      if (!guarded) return expectedVersions ? this.changedOrAbsent(ownerId, id) : null;
    } else {
      // Some fields: what derives from them needs the others. Read, merge, and write only while
      // the contact is still at the version read; a write in between makes it read again.
      for (let attempt = 0; attempt < PARTIAL_UPDATE_ATTEMPTS; attempt++) {
        const current = await this.findById(ownerId, id);
        if (!current) return null;
        if (expectedVersions && !expectedVersions.includes(current.version)) throw new ContactChanged();
        const written = await write({ ...fieldsOf(current), ...definedFields(change.fields) }, [current.version]);
        if (written) return written;
        const now = await this.findById(ownerId, id);
        if (!now) return null;
        // Unmoved: the guard refused a gained email.
        if (now.version === current.version) break;
      }
    }
    return this.inTransaction(async (statements) => {
      if (takenEmails === 'refuse') await statements.write(LOCK_BOOK, [ownerId]);
      // The book's counter before the contact's row (the order every write takes them in).
      await bump(statements, ownerId);
      const [row] = await statements.write<ContactRow>(CONTACT_FOR_UPDATE, [id, ownerId]);
      if (!row) return null;
      const current = toContact(row);
      if (expectedVersions && !expectedVersions.includes(current.version)) throw new ContactChanged();
      const next: ContactFields = { ...fieldsOf(current), ...definedFields(change.fields) };
      if (takenEmails === 'refuse') {
        const had = new Set(emailKeysOf(current));
        const gained = emailKeysOf(next).filter((key) => !had.has(key));
        const [holder] = gained.length > 0 ? await statements.write<{ id: string }>(EMAIL_HOLDER, [ownerId, id, textArray(gained)]) : [];
        if (holder) throw new ContactEmailTaken(holder.id);
      }
      const [updated] = await statements.write<ContactRow>(updateFor(false, false), [ownerId, ...writtenValues(next), ...card, id]);
      return toContact(updated!);
    });
  }

  async setPhoto(
    ownerId: string,
    id: string,
    photo: StoredPhoto | null,
    expectedVersions?: readonly number[],
  ): Promise<{ contact: Contact; previous: StoredPhoto | null } | null> {
    if (!isUuid(id)) return null;
    const values = [ownerId, photo?.url ?? null, photo?.key ?? null, id];
    const [row] = expectedVersions
      ? await this.statements.write<ContactRow & { previous_url: string | null; previous_key: string | null }>(SET_PHOTO_VERSIONED, [
          ...values,
          versionList(expectedVersions),
        ])
      : await this.statements.write<ContactRow & { previous_url: string | null; previous_key: string | null }>(SET_PHOTO, values);
    if (!row) return expectedVersions ? this.changedOrAbsent(ownerId, id) : null;
    const previous = row.previous_url !== null && row.previous_key !== null ? { url: row.previous_url, key: row.previous_key } : null;
    return { contact: toContact(row), previous };
  }

  async delete(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<boolean> {
    if (!isUuid(id)) return false;
    const deleted = expectedVersions
      ? await this.statements.write(TRASH_VERSIONED, [ownerId, id, versionList(expectedVersions)])
      : await this.statements.write(TRASH, [ownerId, id]);
    if (deleted.length > 0) return true;
    return expectedVersions ? (await this.changedOrAbsent(ownerId, id)) !== null : false;
  }

  async findAnyById(ownerId: string, id: string): Promise<AnyContact | null> {
    if (!isUuid(id) || !isUuid(ownerId)) return null;
    const [row] = await this.statements.read<ContactRow & { deleted_at: string | null }>(ANY_CONTACT_BY_ID, [id, ownerId]);
    return row ? { contact: toContact(row), deletedAt: row.deleted_at } : null;
  }

  async listTrash(ownerId: string, limit: number, offset: number): Promise<{ items: TrashedContact[]; total: number }> {
    if (!isUuid(ownerId)) return { items: [], total: 0 };
    const [rows, [count]] = await Promise.all([
      this.statements.read<ContactRow & { deleted_at: string }>(TRASH_PAGE, [ownerId, limit, offset]),
      this.statements.read<{ count: string | number }>(TRASH_COUNT, [ownerId]),
    ]);
    return { items: rows.map((row) => ({ contact: toContact(row), deletedAt: row.deleted_at })), total: Number(count?.count ?? 0) };
  }

  async *listAllTrash(ownerId: string, batchSize: number): AsyncIterable<TrashedContact[]> {
    // The trash holds at most what was deleted within CONTACTS_TRASH_DAYS: pages by offset.
    for (let offset = 0; ; offset += batchSize) {
      const { items } = await this.listTrash(ownerId, batchSize, offset);
      if (items.length > 0) yield items;
      if (items.length < batchSize) return;
    }
  }

  async restore(ownerId: string, id: string, takenEmails: TakenEmails): Promise<Contact | null> {
    if (!isUuid(id) || !isUuid(ownerId)) return null;
    return this.inTransaction(async (statements) => {
      if (takenEmails === 'refuse') await statements.write(LOCK_BOOK, [ownerId]);
      const change = await bump(statements, ownerId);
      const [row] = await statements.write<ContactRow>(TRASHED_FOR_UPDATE, [id, ownerId]);
      if (!row) return null;
      const keys = emailKeysOf(toContact(row));
      if (takenEmails === 'refuse' && keys.length > 0) {
        const [holder] = await statements.write<{ id: string }>(EMAIL_HOLDER, [ownerId, id, textArray(keys)]);
        if (holder) throw new ContactEmailTaken(holder.id);
      }
      const [restored] = await statements.write<ContactRow>(RESTORE, [change, id, ownerId]);
      return toContact(restored!);
    });
  }

  async purge(ownerId: string, id: string | null): Promise<StoredPhoto[] | null> {
    if (!isUuid(ownerId) || (id !== null && !isUuid(id))) return null;
    const rows =
      id === null
        ? await this.statements.write<{ photo_url: string | null; photo_key: string | null }>(PURGE_ALL, [ownerId])
        : await this.statements.write<{ photo_url: string | null; photo_key: string | null }>(PURGE_ONE, [ownerId, id]);
    if (id !== null && rows.length === 0) return null;
    return photosOf(rows);
  }

  async purgeExpired(before: Date, maxBooks: number): Promise<{ purged: number; photos: StoredPhoto[]; more: boolean }> {
    const cutoff = before.toISOString();
    // A cheap look first (the partial index on deleted_at): most runs find nothing to do.
    const books = await this.statements.write<{ user_id: string }>(EXPIRED_BOOKS, [cutoff, maxBooks]);
    let purged = 0;
    const photos: StoredPhoto[] = [];
    for (const { user_id } of books) {
      // One statement per book, which takes that book's counter: another instance purging the same
      // book waits for it, then finds nothing left.
      const rows = await this.statements.write<{ photo_url: string | null; photo_key: string | null }>(PURGE_EXPIRED, [user_id, cutoff]);
      purged += rows.length;
      photos.push(...photosOf(rows));
    }
    await this.inTransaction(async (statements) => {
      const [lock] = await statements.write<{ locked: boolean }>(FORGET_LOCK, []);
      if (lock?.locked) await statements.write(FORGET_TOMBSTONES, [cutoff, cutoff]);
    });
    return { purged, photos, more: books.length >= maxBooks };
  }

  changesSince(ownerId: string, since: SyncPosition | null, limit: number): Promise<FeedPage> {
    return this.feedPage(FEED, ownerId, since, limit, (row) => ({ id: row.feed_id!, deleted: false as const, contact: toContact(row as ContactRow) }));
  }

  versionsSince(ownerId: string, since: SyncPosition | null, limit: number): Promise<FeedPage<FeedVersion>> {
    return this.feedPage(FEED_VERSIONS, ownerId, since, limit, (row) => ({
      id: row.feed_id!,
      deleted: false as const,
      version: Number(row.version),
      updatedAt: row.updated_at!,
    }));
  }

  /** A page of FEED or FEED_VERSIONS, each live contact's row read by `live`. */
  private async feedPage<Change extends FeedChange | FeedVersion>(
    statement: PreparedStatement,
    ownerId: string,
    since: SyncPosition | null,
    limit: number,
    live: (row: FeedRow) => Change & { deleted: false },
  ): Promise<FeedPage<Change>> {
    if (!isUuid(ownerId)) return { changes: [], next: { change: 0, id: '', floor: 0 }, more: false };
    // A walk from the start leaves out what was gone before it began (the book's counter now).
    const floor = since === null ? Number((await this.statements.read<{ last_change: string | number }>(BOOK, [ownerId]))[0]?.last_change ?? 0) : since.floor;
    const from = since ?? { change: 0, id: '', floor };
    // An empty id stands for every contact of that change: the bound is past every id.
    const afterId = from.id === '' ? MAX_ID : from.id;
    const rows = await this.statements.read<FeedRow>(statement, [ownerId, from.change, afterId, floor, limit + 1]);
    const last = Number(rows[0]?.book_last ?? 0);
    if (since !== null) {
      if (since.change < Number(rows[0]?.book_oldest ?? 0)) throw new SyncTokenExpired();
      if (since.change > last) throw new InvalidSyncToken();
    }
    const found = rows.filter((row) => row.feed_id !== null);
    const more = found.length > limit;
    const page = found.slice(0, limit);
    const changes = page.map((row): Change => {
      const change: Change = row.feed_deleted ? ({ id: row.feed_id!, deleted: true } as Change) : live(row);
      if (row.feed_dav_name !== null) change.resource = { name: row.feed_dav_name, uid: row.feed_dav_uid! };
      return change;
    });
    const end = page[page.length - 1];
    // Done: every change up to the counter read in the same snapshot has been answered.
    const next = more ? { change: Number(end!.feed_seq), id: end!.feed_id!, floor } : { change: Math.max(last, from.change), id: '', floor: 0 };
    return { changes, next, more, groupsLastChange: Number(rows[0]?.groups_last ?? 0) };
  }

  async bookVersion(ownerId: string): Promise<number> {
    if (!isUuid(ownerId)) return 0;
    const [row] = await this.statements.read<{ last_change: string | number }>(BOOK, [ownerId]);
    return Number(row?.last_change ?? 0);
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

  async labels(ownerId: string): Promise<LabelCount[]> {
    if (!isUuid(ownerId)) return [];
    const rows = await this.statements.read<{ name: string; count: string | number }>(LABELS, [ownerId]);
    return rows.map((row) => ({ name: row.name, count: Number(row.count) }));
  }

  async renameLabel(ownerId: string, from: string, to: string): Promise<LabelCount | null> {
    const [fromKey, toKey] = [labelKey(from), labelKey(to)];
    return this.relabel(ownerId, fromKey, [], async (statements) => {
      // Merging into an existing label keeps that label's spelling; a new name (or a change of case) takes `to`.
      const [existing] = fromKey === toKey ? [] : await statements.write<{ name: string }>(LABEL, [ownerId, toKey]);
      const target = existing?.name ?? to;
      return ({ labels }) => uniqueLabels(labels.map((l) => (labelKey(l) === fromKey ? target : l)));
    }).then(async (changed) => {
      if (!changed) return null;
      const [row] = await this.statements.read<{ name: string; count: string | number }>(LABEL, [ownerId, toKey]);
      return row ? { name: row.name, count: Number(row.count) } : null;
    });
  }

  async deleteLabel(ownerId: string, name: string): Promise<boolean> {
    const key = labelKey(name);
    return this.relabel(
      ownerId,
      key,
      [],
      async () =>
        ({ labels }) =>
          labels.filter((l) => labelKey(l) !== key),
    );
  }

  async setLabelHolders(ownerId: string, label: string, ids: readonly string[]): Promise<void> {
    const key = labelKey(label);
    const holders = new Set(ids.filter(isUuid));
    await this.relabel(ownerId, key, [...holders], async () => ({ id, labels }) => {
      if (!holders.has(id)) return labels.filter((l) => labelKey(l) !== key);
      return labels.some((l) => labelKey(l) === key) || labels.length >= LABELS_MAX ? [...labels] : uniqueLabels([...labels, label]);
    });
  }

  /**
   * Gives every contact that has the label `key`, and those of `ids`, the labels `relabel` makes
   * of its own (and the search text that follows), in one transaction; false when there is none.
   */
  private async relabel(
    ownerId: string,
    key: string,
    ids: readonly string[],
    prepare: (statements: StatementRunner) => Promise<(contact: Contact) => string[]>,
  ): Promise<boolean> {
    if (!isUuid(ownerId)) return false;
    return this.inTransaction(async (statements) => {
      const change = await bump(statements, ownerId);
      const rows = await statements.write<ContactRow>(CARRYING_LABEL, [ownerId, textArray([key]), textArray(ids)]);
      if (rows.length === 0) return false;
      const relabel = await prepare(statements);
      const changes = rows.flatMap((row) => {
        const contact = toContact(row);
        const labels = relabel(contact);
        if (JSON.stringify(labels) === JSON.stringify(contact.labels)) return [];
        return [{ id: contact.id, labels, label_keys: labels.map(labelKey), search_text: searchTextOf({ ...fieldsOf(contact), labels }) }];
      });
      for (let start = 0; start < changes.length; start += INSERT_BATCH) {
        await statements.write(SET_LABELS, [change, JSON.stringify(changes.slice(start, start + INSERT_BATCH)), ownerId]);
      }
      return true;
    });
  }
}
