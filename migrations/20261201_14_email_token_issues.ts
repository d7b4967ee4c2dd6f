import type { Knex } from 'knex';

/**
 * When a token of each purpose was last issued to each user: one row per (user, purpose), so that
 * "at most one email per address per minute" is one conditional upsert, which PostgreSQL
 * serialises on the row, instead of a read of one_time_tokens followed by an insert.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('email_token_issues', (t) => {
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('purpose').notNullable();
    t.timestamp('last_issued_at', { useTz: true }).notNullable();
    t.primary(['user_id', 'purpose']);
  });
  await knex.raw(`
    INSERT INTO email_token_issues (user_id, purpose, last_issued_at)
    SELECT user_id, purpose, max(created_at) FROM one_time_tokens GROUP BY user_id, purpose`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('email_token_issues');
}
