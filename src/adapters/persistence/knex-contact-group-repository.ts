import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ContactGroup, ContactGroupRepository, GroupMember, NewGroup } from '../../application/ports/contact-group-repository.js';
import { ContactChanged } from '../../domain/contact.errors.js';
import { type KeptCard, labelKey } from '../../domain/contact.js';
import { BUMP_SQL, isoInstant } from './knex-contact-repository.js';
import { isUuid } from './pg-errors.js';
import { PreparedStatement, type StatementOptions, StatementRunner } from './prepared-statement.js';

const COLUMNS = `id, uid, label, name, card, version, ${isoInstant('created_at')} AS created_at, ${isoInstant('updated_at')} AS updated_at`;
const LIVE = 'user_id = ?::uuid AND deleted_at IS NULL';

interface GroupRow {
  id: string;
  uid: string;
  label: string;
  name: string;
  card: KeptCard;
  version: number;
  created_at: string;
  updated_at: string;
}

const toGroup = (row: GroupRow): ContactGroup => ({
  id: row.id,
  uid: row.uid,
  label: row.label,
  name: row.name,
  card: row.card,
  version: Number(row.version),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const LOCK_BOOK = new PreparedStatement('groups.lock_book.v1', BUMP_SQL);
const LIST = new PreparedStatement('groups.list.v1', `SELECT ${COLUMNS} FROM contact_groups WHERE ${LIVE} ORDER BY label_key, id`);
const BY_LABEL = new PreparedStatement('groups.by_label.v1', `SELECT ${COLUMNS} FROM contact_groups WHERE ${LIVE} AND label_key = ?`);
const BY_NAMES = new PreparedStatement('groups.by_names.v1', `SELECT ${COLUMNS} FROM contact_groups WHERE ${LIVE} AND name = ANY(?::text[])`);
const BY_UID = new PreparedStatement('groups.by_uid.v1', `SELECT ${COLUMNS} FROM contact_groups WHERE ${LIVE} AND uid = ?`);
/** Deletes (as tombstones) the live groups that a stored card replaces: same UID, label or resource name, other id. */
const REPLACE = new PreparedStatement(
  'groups.replace.v1',
  `WITH book AS (${BUMP_SQL})
   UPDATE contact_groups SET deleted_at = now(), change_seq = (SELECT last_change FROM book)
   WHERE user_id = (SELECT user_id FROM book) AND deleted_at IS NULL AND id <> ?::uuid AND (uid = ? OR label_key = ? OR name = ?)`,
);
/** A tombstone is forgotten when a live group takes its name: the new card is reported under it, later. */
const FORGET_NAME = new PreparedStatement(
  'groups.forget_name.v1',
  'DELETE FROM contact_groups WHERE user_id = ?::uuid AND deleted_at IS NOT NULL AND name = ?',
);
const INSERT = new PreparedStatement(
  'groups.insert.v1',
  `WITH book AS (${BUMP_SQL})
   INSERT INTO contact_groups (id, user_id, uid, label, label_key, name, card, change_seq)
   SELECT ?::uuid, user_id, ?, ?, ?, ?, ?::jsonb, last_change FROM book RETURNING ${COLUMNS}`,
);
const UPDATE = new PreparedStatement(
  'groups.update.v1',
  `WITH book AS (${BUMP_SQL})
   UPDATE contact_groups SET uid = ?, label = ?, label_key = ?, name = ?, card = ?::jsonb, version = version + 1, updated_at = now(),
     change_seq = (SELECT last_change FROM book)
   WHERE user_id = (SELECT user_id FROM book) AND deleted_at IS NULL AND id = ?::uuid AND (?::int[] IS NULL OR version = ANY(?::int[]))
   RETURNING ${COLUMNS}`,
);
const RELABEL = new PreparedStatement(
  'groups.relabel.v1',
  `WITH book AS (${BUMP_SQL})
   UPDATE contact_groups SET label = ?, label_key = ?, version = version + 1, updated_at = now(), change_seq = (SELECT last_change FROM book)
   WHERE user_id = (SELECT user_id FROM book) AND deleted_at IS NULL AND id = ?::uuid RETURNING id`,
);
const DELETE = new PreparedStatement(
  'groups.delete.v1',
  `WITH book AS (${BUMP_SQL})
   UPDATE contact_groups SET deleted_at = now(), change_seq = (SELECT last_change FROM book)
   WHERE user_id = (SELECT user_id FROM book) AND deleted_at IS NULL AND id = ?::uuid AND (?::int[] IS NULL OR version = ANY(?::int[]))
   RETURNING id`,
);
const VERSION = new PreparedStatement('groups.version.v1', `SELECT version FROM contact_groups WHERE ${LIVE} AND id = ?::uuid`);
const CHANGED = new PreparedStatement(
  'groups.changed.v1',
  `SELECT ${COLUMNS}, deleted_at IS NOT NULL AS deleted FROM contact_groups
   WHERE user_id = ?::uuid AND change_seq > ?::bigint AND change_seq <= ?::bigint AND (deleted_at IS NULL OR ?::boolean)
   ORDER BY change_seq, id`,
);
const MEMBER_COLUMNS = `id, coalesce(card->>'uid', id::text) AS uid, labels`;
/** The members of several groups at once: each live contact once per label of theirs asked for (the GIN index on label_keys finds them). */
const MEMBERS = new PreparedStatement(
  'groups.members.v2',
  `SELECT ${MEMBER_COLUMNS}, k.key AS label_key FROM contacts CROSS JOIN LATERAL unnest(label_keys) AS k(key)
   WHERE user_id = ?::uuid AND deleted_at IS NULL AND label_keys && ?::text[] AND k.key = ANY(?::text[]) ORDER BY created_at, id`,
);
const BY_UIDS = new PreparedStatement(
  'groups.contacts_by_uids.v1',
  `SELECT ${MEMBER_COLUMNS} FROM contacts WHERE user_id = ?::uuid AND deleted_at IS NULL
   AND (lower(card->>'uid') = ANY(?::text[]) OR (card->>'uid' IS NULL AND id::text = ANY(?::text[])))`,
);

const textArray = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
const versionArray = (versions?: readonly number[]) => (versions ? `{${versions.map((v) => Math.trunc(v)).join(',')}}` : null);

/** Group cards in `contact_groups` (migration 20261206_24). */
export class KnexContactGroupRepository implements ContactGroupRepository {
  private readonly statements: StatementRunner;

  constructor(db: Knex | Knex.Transaction, options: StatementOptions = {}) {
    this.statements = new StatementRunner(db, options);
  }

  /** Runs several statements as one write: in the caller's transaction, else in one of its own. */
  private atomic<T>(work: (statements: StatementRunner) => Promise<T>): Promise<T> {
    return this.statements.transaction(work);
  }

  async lockBook(ownerId: string): Promise<void> {
    if (isUuid(ownerId)) await this.statements.write(LOCK_BOOK, [ownerId]);
  }

  async list(ownerId: string): Promise<ContactGroup[]> {
    return (await this.statements.read<GroupRow>(LIST, [ownerId])).map(toGroup);
  }

  async byLabel(ownerId: string, label: string): Promise<ContactGroup | null> {
    const [row] = await this.statements.read<GroupRow>(BY_LABEL, [ownerId, labelKey(label)]);
    return row ? toGroup(row) : null;
  }

  async byNames(ownerId: string, names: readonly string[]): Promise<ContactGroup[]> {
    if (names.length === 0) return [];
    return (await this.statements.read<GroupRow>(BY_NAMES, [ownerId, textArray(names)])).map(toGroup);
  }

  async byUid(ownerId: string, uid: string): Promise<ContactGroup | null> {
    const [row] = await this.statements.read<GroupRow>(BY_UID, [ownerId, uid]);
    return row ? toGroup(row) : null;
  }

  async save(ownerId: string, group: NewGroup, id?: string, expectedVersions?: readonly number[]): Promise<ContactGroup | null> {
    if (id !== undefined && !isUuid(id)) return null;
    const key = labelKey(group.label);
    const card = JSON.stringify(group.card);
    return this.atomic(async (statements) => {
      const target = id ?? randomUUID();
      const name = group.name ?? `${target}.vcf`;
      await statements.write(REPLACE, [ownerId, target, group.uid, key, name]);
      await statements.write(FORGET_NAME, [ownerId, name]);
      if (id === undefined) {
        const [row] = await statements.write<GroupRow>(INSERT, [ownerId, target, group.uid, group.label, key, name, card]);
        return toGroup(row!);
      }
      const versions = versionArray(expectedVersions);
      const [row] = await statements.write<GroupRow>(UPDATE, [ownerId, group.uid, group.label, key, name, card, id, versions, versions]);
      if (row) return toGroup(row);
      if (expectedVersions && (await statements.read(VERSION, [ownerId, id])).length > 0) throw new ContactChanged();
      return null;
    });
  }

  async rename(ownerId: string, from: string, to: string): Promise<boolean> {
    return this.atomic(async (statements) => {
      const [source] = await statements.read<GroupRow>(BY_LABEL, [ownerId, labelKey(from)]);
      if (!source) return false;
      const [target] = await statements.read<GroupRow>(BY_LABEL, [ownerId, labelKey(to)]);
      if (target && target.id !== source.id) await statements.write(DELETE, [ownerId, source.id, null, null]);
      else await statements.write(RELABEL, [ownerId, to, labelKey(to), source.id]);
      return true;
    });
  }

  async delete(ownerId: string, id: string, expectedVersions?: readonly number[]): Promise<boolean> {
    if (!isUuid(id)) return false;
    const versions = versionArray(expectedVersions);
    const rows = await this.statements.write(DELETE, [ownerId, id, versions, versions]);
    if (rows.length > 0) return true;
    if (expectedVersions && (await this.statements.read(VERSION, [ownerId, id])).length > 0) throw new ContactChanged();
    return false;
  }

  async deleteByLabel(ownerId: string, label: string): Promise<boolean> {
    const group = await this.byLabel(ownerId, label);
    return group !== null && (await this.delete(ownerId, group.id));
  }

  async changedBetween(ownerId: string, after: number | null, upTo: number): Promise<{ live: ContactGroup[]; removed: string[] }> {
    const rows = await this.statements.read<GroupRow & { deleted: boolean }>(CHANGED, [ownerId, after ?? -1, upTo, after !== null]);
    return { live: rows.filter((r) => !r.deleted).map(toGroup), removed: rows.filter((r) => r.deleted).map((r) => r.name) };
  }

  async members(ownerId: string, label: string): Promise<GroupMember[]> {
    return (await this.membersOf(ownerId, [label])).get(labelKey(label)) ?? [];
  }

  async membersOf(ownerId: string, labels: readonly string[]): Promise<Map<string, GroupMember[]>> {
    const byLabel = new Map<string, GroupMember[]>();
    if (labels.length === 0) return byLabel;
    const keys = textArray([...new Set(labels.map(labelKey))]);
    for (const { label_key, ...member } of await this.statements.read<GroupMember & { label_key: string }>(MEMBERS, [ownerId, keys, keys])) {
      const members = byLabel.get(label_key);
      if (members) members.push(member);
      else byLabel.set(label_key, [member]);
    }
    return byLabel;
  }

  async contactsByUids(ownerId: string, uids: readonly string[]): Promise<GroupMember[]> {
    if (uids.length === 0) return [];
    const keys = textArray(uids.map((u) => u.toLowerCase()));
    return this.statements.read<GroupMember>(BY_UIDS, [ownerId, keys, keys]);
  }
}
