import type { Knex } from 'knex';

/**
 * The trash and the change feed (#28).
 *
 * - `contacts.deleted_at`: set while the contact is in the trash; every view of the book reads
 *   `deleted_at IS NULL`. A partial index lists each book's trash, most recent first.
 * - `contact_books`: one row per book with `last_change`, the number of the book's last write.
 *   Every write of a book takes the next number with `UPDATE … SET last_change = last_change + 1`
 *   in its own transaction: the row's lock serialises the book's writers until they commit, so the
 *   numbers are handed out in commit order and a reader that has seen number n has seen every
 *   write numbered below it. `oldest_change` is the oldest number a sync token may still hold:
 *   raised when purged contacts' tombstones are forgotten.
 * - `contacts.change_seq`: the number of the write that last touched the contact (an import stamps
 *   all its contacts with one; the feed orders by (change_seq, id)).
 * - `contact_tombstones`: a purged contact's id and the number of its purge, kept for the feed
 *   for as long as the trash keeps contacts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE contact_books (
    user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    last_change bigint NOT NULL DEFAULT 0,
    oldest_change bigint NOT NULL DEFAULT 0
  )`);
  await knex.raw('ALTER TABLE contacts ADD COLUMN deleted_at timestamptz, ADD COLUMN change_seq bigint NOT NULL DEFAULT 1');
  // The existing contacts are all number 1 of their book.
  await knex.raw('INSERT INTO contact_books (user_id, last_change) SELECT DISTINCT user_id, 1 FROM contacts');
  await knex.raw('CREATE INDEX contacts_user_change ON contacts (user_id, change_seq, id)');
  await knex.raw('CREATE INDEX contacts_user_trash ON contacts (user_id, deleted_at DESC, id) WHERE deleted_at IS NOT NULL');
  await knex.raw('CREATE INDEX contacts_trash_expiry ON contacts (deleted_at) WHERE deleted_at IS NOT NULL');
  await knex.raw(`CREATE TABLE contact_tombstones (
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    contact_id uuid NOT NULL,
    change_seq bigint NOT NULL,
    purged_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, change_seq, contact_id)
  )`);
  await knex.raw('CREATE INDEX contact_tombstones_purged ON contact_tombstones (purged_at)');
}

export async function down(knex: Knex): Promise<void> {
  // Trashed contacts would come back to life without the column: they go for good.
  await knex.raw('DELETE FROM contacts WHERE deleted_at IS NOT NULL');
  await knex.raw('DROP TABLE contact_tombstones');
  await knex.raw('DROP INDEX contacts_trash_expiry');
  await knex.raw('DROP INDEX contacts_user_trash');
  await knex.raw('DROP INDEX contacts_user_change');
  await knex.raw('ALTER TABLE contacts DROP COLUMN deleted_at, DROP COLUMN change_seq');
  await knex.raw('DROP TABLE contact_books');
}
