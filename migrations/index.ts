import type { Knex } from 'knex';
import * as accounts from './20261124_001_accounts.js';
import * as emailOutbox from './20261124_009_email_outbox.js';
import * as contacts from './20261125_001_contacts.js';
import * as emailTokenIssues from './20261201_14_email_token_issues.js';
import * as accountSelfService from './20261201_16_account_self_service.js';
import * as contactOptionalFields from './20261201_17_contact_optional_fields.js';
import * as emailChangeIssues from './20261206_18_email_change_issues.js';
import * as fullContacts from './20261206_19_full_contacts.js';
import * as trashAndChanges from './20261206_20_trash_and_changes.js';
import * as appPasswords from './20261206_21_app_passwords.js';
import * as davResources from './20261206_22_dav_resources.js';
import * as liveContactsIndex from './20261206_23_live_contacts_index.js';
import * as contactGroups from './20261206_24_contact_groups.js';
import * as contactsFeedPage from './20261206_25_contacts_feed_page.js';

/**
 * Every migration, in order. A static list (rather than a scanned folder) works the same under
 * tsx and compiled, and a migration cannot be skipped by a file-system quirk.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261124_001_accounts': accounts,
  '20261124_009_email_outbox': emailOutbox,
  '20261125_001_contacts': contacts,
  '20261201_14_email_token_issues': emailTokenIssues,
  '20261201_16_account_self_service': accountSelfService,
  '20261201_17_contact_optional_fields': contactOptionalFields,
  '20261206_18_email_change_issues': emailChangeIssues,
  '20261206_19_full_contacts': fullContacts,
  '20261206_20_trash_and_changes': trashAndChanges,
  '20261206_21_app_passwords': appPasswords,
  '20261206_22_dav_resources': davResources,
  '20261206_23_live_contacts_index': liveContactsIndex,
  '20261206_24_contact_groups': contactGroups,
  '20261206_25_contacts_feed_page': contactsFeedPage,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
