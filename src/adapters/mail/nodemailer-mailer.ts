import nodemailer, { type Transporter } from 'nodemailer';
import type { Email, Mailer } from '../../application/ports/mailer.js';
import { renderEmail, storedAddress } from './email-templates.js';

export interface SmtpOptions {
  url: string;
  from: string;
  /** Bound on connect, greeting and socket inactivity, so a dead server fails fast. */
  timeoutMs?: number;
  /** An smtp:// server must upgrade with STARTTLS, or the send fails before anything goes out in clear. */
  requireTls?: boolean;
}

/** Sends through an SMTP server (SMTP_URL), e.g. Mailpit in development or a provider in production. */
export class NodemailerMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpOptions) {
    const timeout = options.timeoutMs ?? 5000;
    const url = new URL(options.url);
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
      secure: url.protocol === 'smtps:',
      requireTLS: options.requireTls ?? false,
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // Local development servers (Mailpit) offer no certificate worth checking; real ones are verified.
      tls: { rejectUnauthorized: !['localhost', '127.0.0.1', 'mailpit'].includes(url.hostname) },
    });
  }

  async send(email: Email): Promise<void> {
    const { to, subject, text, html } = renderEmail(email);
    await this.transport.sendMail({ from: this.options.from, to: storedAddress(to), subject, text, html });
  }

  close(): void {
    this.transport.close();
  }
}
