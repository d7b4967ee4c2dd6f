import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../../application/ports/logger.js';
import type { Email, Mailer } from '../../application/ports/mailer.js';
import { renderEmail, storedAddress } from './email-templates.js';

/**
 * The default when no SMTP_URL is set: each email becomes an .eml file under the outbox folder
 * (openable by any mail client). With `logLinks` (development only: a link is a credential) its
 * link is logged too, so a developer can click it at once.
 */
export class FileOutboxMailer implements Mailer {
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly directory: string,
    private readonly from: string,
    private readonly logger: Logger,
    private readonly options: { logLinks: boolean } = { logLinks: false },
  ) {}

  async send(email: Email): Promise<void> {
    const { to, subject, text, html } = renderEmail(email);
    const info = await this.composer.sendMail({ from: this.from, to: storedAddress(to), subject, text, html });
    await mkdir(this.directory, { recursive: true });
    const file = path.join(this.directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${email.kind}-${randomUUID().slice(0, 8)}.eml`);
    await writeFile(file, info.message as Buffer);
    this.logger.info(
      { file, kind: email.kind, ...(this.options.logLinks && 'link' in email ? { link: email.link } : {}) },
      'email written to the outbox folder',
    );
  }
}
