import type { Knex } from 'knex';

/**
 * Group cards (#27, docs/decisions/group-cards.md). A label is a group: its members are the live
 * contacts carrying it. The group card a book received (import, CardDAV) is kept here, one row
 * per label, with every property as it came, so that export and CardDAV give it back.
 *
 * - `label_key` is labelKey(label) (lower case), matched against `contacts.label_keys`.
 * - `name` is the CardDAV resource name (`{id}.vcf` unless a client PUT it under another).
 * - `change_seq` is the book counter (`contact_books.last_change`) of the write that last changed
 *   the rendered card: its own writes, and any write to a contact that joins or leaves the group
 *   (the trigger below, which sees every write path of the contacts: REST, DAV, import, merge,
 *   trash, restore, label routes). sync-collection reports the group when it moves.
 * - `deleted_at`: a deleted group stays as a tombstone, so that sync-collection reports it gone;
 *   the unique indexes hold among live groups only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE contact_groups (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    uid text NOT NULL,
    label text NOT NULL,
    label_key text NOT NULL,
    name text NOT NULL,
    card jsonb NOT NULL,
    version integer NOT NULL DEFAULT 1,
    change_seq bigint NOT NULL,
    deleted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  await knex.raw('CREATE UNIQUE INDEX contact_groups_user_label ON contact_groups (user_id, label_key) WHERE deleted_at IS NULL');
  await knex.raw('CREATE UNIQUE INDEX contact_groups_user_uid ON contact_groups (user_id, uid) WHERE deleted_at IS NULL');
  await knex.raw('CREATE UNIQUE INDEX contact_groups_user_name ON contact_groups (user_id, name) WHERE deleted_at IS NULL');
  await knex.raw('CREATE INDEX contact_groups_user_change ON contact_groups (user_id, change_seq)');
  // A group's change number and version follow its membership. Fired only for writes that can
  // change it (the WHEN clauses), and at most once per group per write (a write's contacts share
  // one change number).
  await knex.raw(`CREATE FUNCTION contact_groups_follow_members() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      was_live boolean := false;
      old_keys text[] := '{}';
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        was_live := OLD.deleted_at IS NULL;
        old_keys := OLD.label_keys;
      END IF;
      UPDATE contact_groups g SET change_seq = NEW.change_seq, version = g.version + 1, updated_at = now()
        WHERE g.user_id = NEW.user_id AND g.deleted_at IS NULL AND g.change_seq <> NEW.change_seq
          AND (NEW.deleted_at IS NULL AND g.label_key = ANY(NEW.label_keys)) IS DISTINCT FROM (was_live AND g.label_key = ANY(old_keys));
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER contacts_groups_on_insert AFTER INSERT ON contacts FOR EACH ROW
    WHEN (cardinality(NEW.label_keys) > 0 AND NEW.deleted_at IS NULL) EXECUTE FUNCTION contact_groups_follow_members()`);
  await knex.raw(`CREATE TRIGGER contacts_groups_on_update AFTER UPDATE ON contacts FOR EACH ROW
    WHEN (OLD.label_keys IS DISTINCT FROM NEW.label_keys OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION contact_groups_follow_members()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER contacts_groups_on_update ON contacts');
  await knex.raw('DROP TRIGGER contacts_groups_on_insert ON contacts');
  await knex.raw('DROP FUNCTION contact_groups_follow_members()');
  await knex.raw('DROP TABLE contact_groups');
}
