import type { Knex } from 'knex';

/**
 * CardDAV resource names (#28): a client PUTs a card under a name it chooses and expects to find it
 * there, and a UID is unique in a book (RFC 6352 no-uid-conflict). One row per contact that came
 * over CardDAV; the contact's removal (purge, account deletion) takes the row with it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dav_resources', (t) => {
    t.uuid('contact_id').primary().references('id').inTable('contacts').onDelete('CASCADE');
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
