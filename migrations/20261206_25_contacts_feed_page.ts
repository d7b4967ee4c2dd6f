import type { Knex } from 'knex';

/**
 * One page of a book's change feed (#28), as a function whose plan is made once per connection.
 *
 * The page's keyset walks `contacts_user_change` and `contact_tombstones_pkey` from a position the
 * caller gives, with a limit the caller gives. As a plain prepared statement PostgreSQL planned it
 * afresh on every execution: without the parameters' values it estimates thousands of rows past
 * the position, so its generic plan always looked dearer than a custom one, and planning cost
 * more than running the query. Inside a function with `plan_cache_mode = force_generic_plan` the
 * plan is made once per connection, and the generic plan is the right one whatever the values:
 * two index scans merged, stopped at the limit. The statement that calls it (contacts.feed in
 * the contact repository) joins the page's contacts and resource names and has no such estimate
 * to get wrong, so PostgreSQL keeps its generic plan too.
 *
 * STABLE: the function reads with the calling statement's snapshot, so the page, the book's
 * counter and the contacts joined to it are one snapshot, as they were in one statement.
 * The tables are named without a schema, so that each schema's function reads its own tables.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE FUNCTION contacts_feed_page(owner uuid, after_change bigint, after_id uuid, floor_change bigint, page_size integer)
    RETURNS TABLE (book_last bigint, book_oldest bigint, groups_last bigint, feed_id uuid, feed_seq bigint, feed_deleted boolean)
    LANGUAGE plpgsql STABLE ROWS 10 SET plan_cache_mode = force_generic_plan AS $$
    BEGIN
      RETURN QUERY
      WITH changed AS (
          (SELECT c.id, c.change_seq, c.deleted_at IS NOT NULL AS deleted FROM contacts c
            WHERE c.user_id = owner AND (c.change_seq, c.id) > (after_change, after_id) AND (c.deleted_at IS NULL OR c.change_seq > floor_change)
            ORDER BY c.change_seq, c.id LIMIT page_size)
          UNION ALL
          (SELECT t.contact_id, t.change_seq, true FROM contact_tombstones t
            WHERE t.user_id = owner AND (t.change_seq, t.contact_id) > (after_change, after_id) AND t.change_seq > floor_change
            ORDER BY t.change_seq, t.contact_id LIMIT page_size)
        ), page AS (SELECT * FROM changed ORDER BY change_seq, id LIMIT page_size)
      SELECT b.last_change, b.oldest_change, b.groups_last, page.id, page.change_seq, page.deleted
      FROM (SELECT coalesce(max(cb.last_change), 0)::bigint AS last_change, coalesce(max(cb.oldest_change), 0)::bigint AS oldest_change,
              (SELECT coalesce(max(g.change_seq), 0) FROM contact_groups g WHERE g.user_id = owner)::bigint AS groups_last
            FROM contact_books cb WHERE cb.user_id = owner) b
        LEFT JOIN page ON true;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION contacts_feed_page(uuid, bigint, uuid, bigint, integer)');
}
