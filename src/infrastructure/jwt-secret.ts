import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../application/ports/logger.js';
import type { Config } from './config.js';

/** Name of the file under DATA_DIR that keeps the secret made when JWT_SECRET is unset. */
export const GENERATED_JWT_SECRET_FILE = 'jwt-secret';

/**
 * JWT_SECRET when set; otherwise (development and test only: production refuses to start without
 * it, see loadConfig) a random 384-bit secret made on the first start and kept in
 * DATA_DIR/jwt-secret (mode 0600), so tokens survive a restart and no install shares a secret.
 * Written to a temporary file and hard-linked into place, so instances starting together agree
 * on one secret and none ever reads a half-written file.
 */
export async function resolveJwtSecret(config: Config, logger?: Logger): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  const file = path.resolve(config.dataDir, GENERATED_JWT_SECRET_FILE);
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
    logger?.info({ file }, 'JWT_SECRET is unset: made a random development secret and kept it in this file');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => {});
  }
  const secret = await readSecret(file);
  if (!secret) throw new Error(`${file} holds no usable JWT secret; delete it to get a new one`);
  return secret;
}

async function readSecret(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // A copy restored with looser permissions is tightened: the file is a credential.
  await chmod(file, 0o600).catch(() => {});
  const secret = text.trim();
  return Buffer.byteLength(secret, 'utf8') >= 32 ? secret : null;
}
