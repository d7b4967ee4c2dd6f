import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in this process that keeps every message it receives, parsed. */
export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  /** The SMTP envelope's recipients (RCPT TO) of each message, in the order of `messages`. */
  readonly recipients: string[][] = [];
  private server: SMTPServer | undefined;
  private waiters: Array<() => void> = [];
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            this.recipients.push(session.envelope.rcptTo.map((rcpt) => rcpt.address));
            for (const wake of this.waiters.splice(0)) wake();
            callback();
          })
          .catch(callback);
      },
    });
    this.server.listen(port, '127.0.0.1');
    await once(this.server.server, 'listening');
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first message to that address, waiting for it if needed. */
  async waitFor(to: string, timeoutMs = 10_000): Promise<ParsedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => JSON.stringify(m.to).toLowerCase().includes(to.toLowerCase()));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no email to ${to} arrived within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The link standing alone on a line of the plain-text part. */
export function linkIn(mail: ParsedMail): string {
  const line = (mail.text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^https?:\/\/\S+$/.test(l));
  if (!line) throw new Error('the email has no link alone on a line');
  return line;
}
