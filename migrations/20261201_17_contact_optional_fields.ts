import type { Knex } from 'knex';

/**
 * Contacts as real address books hold them: only the first name is required, and a birthday may
 * lack a year. Existing rows keep every value.
 *
 * - `email`, `phone`, `birthday` become nullable; `last_name` stays NOT NULL with `''` for none.
 * - A day without a year (`--MM-DD`) is stored as that day in the year 4, a leap year (so 29
 *   February fits) long before the earliest real birthday accepted (1900): one `date` column, so
 *   the generated `birthday_md` (month × 100 + day) and its index serve both kinds unchanged. The
 *   repository writes and reads the sentinel; nothing else sees it.
 * - The unique index on (user_id, lower(email)) stays: PostgreSQL treats NULLs as distinct in a
 *   unique index, so any number of contacts without an email never clash.
 * - `version` counts changes (1 at creation, +1 on every update): the strong ETag of a contact, and
 *   the value `If-Match` is compared with inside the UPDATE itself (`WHERE version = ?`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contacts', (t) => {
    t.setNullable('email');
    t.setNullable('phone');
    t.setNullable('birthday');
    t.text('last_name').notNullable().defaultTo('').alter();
    t.integer('version').notNullable().defaultTo(1);
  });
}

export async function down(knex: Knex): Promise<void> {
  // Rows without an email, phone or birthday cannot go back to the old schema; this fails rather
  // than inventing values for them.
  await knex.schema.alterTable('contacts', (t) => {
    t.dropColumn('version');
    t.dropNullable('email');
    t.dropNullable('phone');
    t.dropNullable('birthday');
  });
}
