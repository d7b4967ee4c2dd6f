import { ConfigError, loadConfig } from './config.js';
import { createDatabase, migrateLatest, pendingMigrations, prepareEmbeddedDatabase, type DatabasePooler } from './database.js';

// `npm run migrate` (the image runs it compiled: node dist/src/infrastructure/migrate.js): applies
// the pending migrations once, for a deploy whose replicas start with MIGRATE_ON_START=false.
try {
  const config = loadConfig();
  await prepareEmbeddedDatabase(config);
  const database = createDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pooler: config.databasePooler as DatabasePooler,
    readPoolMax: 0,
    timeouts: { connectMs: config.databaseConnectTimeoutMs, acquireMs: config.databaseAcquireTimeoutMs },
  });
  try {
    await migrateLatest(database.knex);
    console.log(`migrations applied; ${(await pendingMigrations(database.knex)).length} pending`);
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : `Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
