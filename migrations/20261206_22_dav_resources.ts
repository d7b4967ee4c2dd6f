import type { Knex } from 'knex';

/**
 * CardDAV resource names (#28): a client PUTs a card under a name it chooses and expects to find it
 * there, and a UID is unique in a book (RFC 6352 no-uid-conflict). One row per contact that came
 * over CardDAV. No foreign key to contacts: a purged contact's row stays, so that sync-collection
 * still reports its removal under the name the client knows; a later card of the same name or UID
 * replaces it (the repository's save). The account's deletion takes the rows with it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dav_resources', (t) => {
    t.uuid('contact_id').primary();
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('uid').notNullable();
    t.unique(['user_id', 'name']);
    t.unique(['user_id', 'uid']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dav_resources');
}
