import type { Knex } from 'knex';

/**
 * App passwords (#28): one per device that syncs over CardDAV. The secret is stored only as its
 * SHA-256 digest (hex), unique: a DAV request finds its row by the digest of what it sent, one
 * indexed lookup, without scanning the user's rows or hashing with bcrypt (the secret has at least
 * 100 random bits; see docs/decisions/app-passwords.md). A revoked one is deleted, so nothing is
 * cached and every instance refuses it at once. They go with their user (ON DELETE CASCADE).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('app_passwords', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('name').notNullable();
    t.text('secret_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('app_passwords');
}
