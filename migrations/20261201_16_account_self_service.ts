import type { Knex } from 'knex';

/**
 * Self-service account features: a session remembers when it was last used and the User-Agent that
 * opened it; an email-change token carries the address it confirms.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('user_agent');
  });
  await knex.raw('UPDATE sessions SET last_used_at = created_at');
  await knex.schema.alterTable('one_time_tokens', (t) => {
    t.text('new_email');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('one_time_tokens', (t) => {
    t.dropColumn('new_email');
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.dropColumn('user_agent');
    t.dropColumn('last_used_at');
  });
}
