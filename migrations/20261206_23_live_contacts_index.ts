import type { Knex } from 'knex';

/**
 * The book's live contacts in creation order (#26): every view of the book reads
 * `deleted_at IS NULL` (migration 20261206_20), so the list's count and page walk a partial index
 * of the live contacts only. On the whole table's `contacts_user_created` the count had to visit
 * each row to see whether it is in the trash, and was no longer index-only. That index has no
 * reader left (the trash has its own, and the owner's foreign key is served by the other indexes
 * led by `user_id`), so it goes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX contacts_user_live ON contacts (user_id, created_at, id) WHERE deleted_at IS NULL');
  await knex.raw('DROP INDEX contacts_user_created');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX contacts_user_created ON contacts (user_id, created_at, id)');
  await knex.raw('DROP INDEX contacts_user_live');
}
