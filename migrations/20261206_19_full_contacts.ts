import type { Knex } from 'knex';
import { type ContactFields, EMPTY_CONTACT_FIELDS, emailKeysOf, nameKeysOf, nameSortKey, searchTextOf } from '../src/domain/contact.js';

/**
 * A contact is a whole person (#27): every field of the model, the photo, the card it came from,
 * and what search, sort and the taken-email check read, derived from the fields on every write.
 *
 * - Names and organization parts are `text NOT NULL DEFAULT ''` like `last_name`; the typed lists
 *   (`emails`, `phones`, `addresses`, `urls`) are jsonb arrays, read and written whole.
 * - `labels` is a `text[]`, with `label_keys` beside it, entry for entry (labelKey of each): the
 *   label routes unnest the two together, and the label filter is `label_keys @> {key}` on a GIN
 *   index. An array (rather than jsonb) so that unnest and GIN work on plain text.
 * - `anniversary` is a `date` with the same convention as `birthday` (a day without a year is
 *   stored in the year 4; see 20261201_17).
 * - `search_text` (searchTextOf), `email_keys` (emailKeysOf), `name_keys` (nameKeysOf, for
 *   relevance) and `name_sort` (nameSortKey, "C" collation so the database orders it as the domain
 *   compares it) are computed by the repository from the domain's functions, never in SQL, so
 *   that what search matches is what the domain says. Existing rows get them here from the same
 *   functions, in batches.
 * - `email` and `phone` go: the first entries of the lists take their place. The unique index on
 *   (user_id, lower(email)) goes with them: CardDAV writes and merges may store contacts that
 *   share an email, and REST's refusal is checked by the repository under a per-book lock.
 * - A trigram index serves `q` (a substring anywhere in search_text) when pg_trgm can be
 *   installed; without it search reads the book's rows, as before.
 */
export async function up(knex: Knex): Promise<void> {
  const names = ['middle_name', 'prefix', 'suffix', 'nickname', 'organization', 'department', 'job_title'];
  const lists = ['emails', 'phones', 'addresses', 'urls'];
  await knex.raw(`ALTER TABLE contacts
    ${names.map((c) => `ADD COLUMN ${c} text NOT NULL DEFAULT ''`).join(',\n    ')},
    ${lists.map((c) => `ADD COLUMN ${c} jsonb NOT NULL DEFAULT '[]'`).join(',\n    ')},
    ADD COLUMN labels text[] NOT NULL DEFAULT '{}',
    ADD COLUMN anniversary date,
    ADD COLUMN photo_url text,
    ADD COLUMN photo_key text,
    ADD COLUMN card jsonb,
    ADD COLUMN search_text text NOT NULL DEFAULT '',
    ADD COLUMN email_keys text[] NOT NULL DEFAULT '{}',
    ADD COLUMN label_keys text[] NOT NULL DEFAULT '{}',
    ADD COLUMN name_keys text[] NOT NULL DEFAULT '{}',
    ADD COLUMN name_sort text COLLATE "C" NOT NULL DEFAULT ''`);

  // Existing rows, by keyset on id, a batch per statement.
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = (await knex.raw('SELECT id, first_name, last_name, email, phone FROM contacts WHERE id > ? ORDER BY id LIMIT ?', [
      after,
      BACKFILL_BATCH,
    ])) as { rows: { id: string; first_name: string; last_name: string; email: string | null; phone: string | null }[] };
    if (rows.length === 0) break;
    const values = rows.map((row) => {
      const fields: ContactFields = {
        ...EMPTY_CONTACT_FIELDS,
        firstName: row.first_name,
        lastName: row.last_name,
        emails: row.email === null ? [] : [{ value: row.email, label: 'other' }],
        phones: row.phone === null ? [] : [{ value: row.phone, label: 'other' }],
      };
      return {
        id: row.id,
        emails: fields.emails,
        phones: fields.phones,
        search_text: searchTextOf(fields),
        email_keys: emailKeysOf(fields),
        name_keys: nameKeysOf(fields),
        name_sort: nameSortKey(fields),
      };
    });
    await knex.raw(
      `UPDATE contacts SET emails = v.emails, phones = v.phones, search_text = v.search_text, email_keys = v.email_keys,
         name_keys = v.name_keys, name_sort = v.name_sort
       FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, emails jsonb, phones jsonb, search_text text, email_keys text[], name_keys text[], name_sort text)
       WHERE contacts.id = v.id`,
      [JSON.stringify(values)],
    );
    after = rows[rows.length - 1]!.id;
  }

  await knex.raw('DROP INDEX IF EXISTS contacts_user_email_lower_unique');
  await knex.raw('ALTER TABLE contacts DROP COLUMN email, DROP COLUMN phone');
  await knex.raw('CREATE INDEX contacts_email_keys ON contacts USING gin (email_keys)');
  await knex.raw('CREATE INDEX contacts_label_keys ON contacts USING gin (label_keys)');
  await knex.raw('CREATE INDEX contacts_user_name ON contacts (user_id, name_sort, created_at, id)');
  const trgm = await trigramSchema(knex);
  if (trgm !== null) await knex.raw(`CREATE INDEX contacts_search_text_trgm ON contacts USING gin (search_text ??.gin_trgm_ops)`, [trgm]);
}

const BACKFILL_BATCH = 1000;

/**
 * The schema pg_trgm lives in, installing it in `public` when it is not installed yet (it is a
 * trusted extension: the database's owner may); null when it cannot be (not shipped, no right).
 * Installed in `public` rather than the schema being migrated, so that dropping one schema never
 * takes the extension (and another schema's index) with it.
 */
async function trigramSchema(knex: Knex): Promise<string | null> {
  const installed = async () => {
    const { rows } = (await knex.raw(
      "SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
    )) as { rows: { schema: string }[] };
    return rows[0]?.schema ?? null;
  };
  const schema = await installed();
  if (schema !== null) return schema;
  const { rows } = (await knex.raw("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")) as { rows: unknown[] };
  if (rows.length === 0) return null;
  try {
    // A savepoint: a refusal must not abort the migration's transaction.
    await knex.transaction((trx) => trx.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public'));
  } catch {
    return null;
  }
  return installed();
}

export async function down(knex: Knex): Promise<void> {
  // The first entries go back to `email` and `phone`; the rest cannot, and neither can two
  // contacts sharing an email (the unique index then fails, rather than dropping one).
  await knex.raw('ALTER TABLE contacts ADD COLUMN email text, ADD COLUMN phone text');
  await knex.raw("UPDATE contacts SET email = emails -> 0 ->> 'value', phone = phones -> 0 ->> 'value'");
  await knex.raw('CREATE UNIQUE INDEX contacts_user_email_lower_unique ON contacts (user_id, lower(email))');
  await knex.raw('DROP INDEX IF EXISTS contacts_search_text_trgm');
  await knex.raw(`ALTER TABLE contacts
    DROP COLUMN middle_name, DROP COLUMN prefix, DROP COLUMN suffix, DROP COLUMN nickname, DROP COLUMN organization,
    DROP COLUMN department, DROP COLUMN job_title, DROP COLUMN emails, DROP COLUMN phones, DROP COLUMN addresses,
    DROP COLUMN urls, DROP COLUMN labels, DROP COLUMN anniversary, DROP COLUMN photo_url, DROP COLUMN photo_key,
    DROP COLUMN card, DROP COLUMN search_text, DROP COLUMN email_keys, DROP COLUMN label_keys, DROP COLUMN name_keys,
    DROP COLUMN name_sort`);
}
