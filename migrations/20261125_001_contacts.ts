import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('contacts', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('first_name').notNullable();
    t.text('last_name').notNullable();
    t.text('email').notNullable();
    t.text('phone').notNullable();
    t.date('birthday').notNullable();
    // Month and day as one number (229 for 29 February), so the birthdays query can use an index.
    t.specificType('birthday_md', 'smallint GENERATED ALWAYS AS ((extract(month from birthday) * 100 + extract(day from birthday))::smallint) STORED');
    t.text('notes');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'created_at', 'id'], 'contacts_user_created');
    t.index(['user_id', 'birthday_md'], 'contacts_user_birthday_md');
  });
  await knex.raw('CREATE UNIQUE INDEX contacts_user_email_lower_unique ON contacts (user_id, lower(email))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('contacts');
}
