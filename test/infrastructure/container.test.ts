import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/infrastructure/config.js';
import { buildContainer } from '../../src/infrastructure/container.js';
import { GENERATED_JWT_SECRET_FILE } from '../../src/infrastructure/jwt-secret.js';
import { CapturingLogger, CapturingMailer, FakePasswordHasher } from '../fakes/fakes.js';
import { pgliteBackend } from '../helpers/databases.js';

/** A hasher that says when it was closed, as the bcrypt worker pool is when the container closes. */
class ClosableHasher extends FakePasswordHasher {
  closed = 0;
  async close(): Promise<void> {
    this.closed += 1;
  }
}

test('a start that fails halfway (an unusable JWT secret file) rejects with the reason and closes what it had opened', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'contacts-container-'));
  const db = await pgliteBackend.create();
  try {
    await writeFile(path.join(dataDir, GENERATED_JWT_SECRET_FILE), 'too short\n');
    const hasher = new ClosableHasher();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir });
    const error = await t.throwsAsync(buildContainer(config, { database: db, hasher, mailer: new CapturingMailer(), logger: new CapturingLogger() }));
    t.regex(error!.message, /holds no usable JWT secret/);
    t.is(hasher.closed, 1, 'the hasher handed to the container is closed with it, even when the start fails');
  } finally {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('closing a container closes the hasher it was handed, once, and leaves the database its caller owns open', async (t) => {
  const db = await pgliteBackend.create();
  try {
    const hasher = new ClosableHasher();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: 'a'.repeat(40) });
    const container = await buildContainer(config, { database: db, hasher, mailer: new CapturingMailer(), logger: new CapturingLogger() });
    await container.close();
    t.is(hasher.closed, 1);
    // The database was the caller's: it is still open.
    t.deepEqual((await db.knex.raw('select 1 as one')).rows, [{ one: 1 }]);
  } finally {
    await db.drop();
  }
});
