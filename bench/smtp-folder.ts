import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

/**
 * A local SMTP server that writes every message it receives as an .eml file into a folder. The
 * benchmark runs the API with NODE_ENV=production, which requires SMTP_URL; the seeding then reads
 * the verification links from these files.
 */
export async function startSmtpFolder(directory: string): Promise<{ url: string; close: () => Promise<void> }> {
  await mkdir(directory, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        count += 1;
        writeFile(path.join(directory, `${Date.now()}-${count}.eml`), Buffer.concat(chunks)).then(() => callback(), callback);
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
