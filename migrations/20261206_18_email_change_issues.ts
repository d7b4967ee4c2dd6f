import type { Knex } from 'knex';

/**
 * When an email-change confirmation last went to each address, whichever account asked for it, so
 * that "at most one per new address per minute" is one conditional upsert that PostgreSQL
 * serialises on the address's row (as email_token_issues does per user). The address is stored as
 * a digest: it may belong to no user. A row is useless after a minute and is deleted then.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('email_change_issues', (t) => {
    t.text('address_digest').primary();
    t.timestamp('last_issued_at', { useTz: true }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('email_change_issues');
}
