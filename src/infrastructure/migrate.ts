import { ConfigError, loadConfig } from './config.js';
import { createKnex, migrateLatest, prepareEmbeddedDatabase } from './database.js';

try {
  const config = loadConfig();
  await prepareEmbeddedDatabase(config);
  const knex = createKnex({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateLatest(knex);
  const [, pending] = (await knex.migrate.list()) as [unknown[], unknown[]];
  console.log(`migrations applied; ${pending.length} pending`);
  await knex.destroy();
} catch (error) {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : `Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
