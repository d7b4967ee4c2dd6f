import type { Clock } from '../../src/application/ports/clock.js';
import type { Logger } from '../../src/application/ports/logger.js';
import type { Email, Mailer } from '../../src/application/ports/mailer.js';
import type { PasswordHasher } from '../../src/application/ports/password-hasher.js';

export class FakeClock implements Clock {
  constructor(private current = new Date('2026-06-15T12:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
}

/** Questions tests ask of a list of emails (sent by a mailer, or waiting in an outbox). */
export abstract class EmailList {
  protected abstract emails(): Email[];
  /** Every email, oldest first. */
  all(): Email[] {
    return [...this.emails()];
  }
  last(kind?: Email['kind'], to?: string): Email | undefined {
    return [...this.emails()].reverse().find((e) => (!kind || e.kind === kind) && (!to || e.to.toLowerCase() === to.toLowerCase()));
  }
  /** Emails to that address (any case). */
  to(address: string): Email[] {
    return this.emails().filter((e) => e.to.toLowerCase() === address.toLowerCase());
  }
  /** The token carried by the newest link of that kind (to that address, when given). */
  lastToken(kind: 'verify-email' | 'password-reset' | 'email-change-confirm', to?: string): string {
    const email = this.last(kind, to);
    if (!email || !('link' in email)) throw new Error(`no ${kind} email was sent`);
    return new URL(email.link).searchParams.get('token')!;
  }
}

/** Keeps every email it is asked to send; fails while `failing` is set, like a server that is down. */
/** Keeps every email it is asked to send; fails while `failing` is set, like a server that is down. */
export class CapturingMailer extends EmailList implements Mailer {
  readonly sent: Email[] = [];
  failing = false;
  /** Addresses (lower case) whose emails fail: for tests that share one app and must not fail each other's. */
  readonly failingFor = new Set<string>();
  async send(email: Email): Promise<void> {
    if (this.failing || this.failingFor.has(email.to.toLowerCase())) throw new Error('SMTP server unavailable');
    this.sent.push(structuredClone(email));
  }
  protected emails(): Email[] {
    return this.sent;
  }
}

/** Reversible and instant: use-case tests check outcomes, not bcrypt. */
export class FakePasswordHasher implements PasswordHasher {
  async hash(password: string): Promise<string> {
    return `hashed:${password}`;
  }
  async verify(password: string, hash: string): Promise<boolean> {
    return hash === `hashed:${password}`;
  }
}

export class CapturingLogger implements Logger {
  readonly lines: { level: string; fields: object; message: string }[] = [];
  info(fields: object, message: string) {
    this.lines.push({ level: 'info', fields, message });
  }
  warn(fields: object, message: string) {
    this.lines.push({ level: 'warn', fields, message });
  }
  error(fields: object, message: string) {
    this.lines.push({ level: 'error', fields, message });
  }
}
