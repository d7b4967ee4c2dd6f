import test from 'ava';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { FileOutboxMailer } from '../../../src/adapters/mail/file-outbox-mailer.js';
import { NodemailerMailer } from '../../../src/adapters/mail/nodemailer-mailer.js';
import type { Email, Mailer } from '../../../src/application/ports/mailer.js';
import { CapturingLogger } from '../../fakes/fakes.js';
import { linkIn, SmtpSink } from '../../helpers/smtp-sink.js';

const LINK = 'http://app.test/account/verify-email?token=abc_DEF-123';
const verification: Email = { kind: 'verify-email', to: 'ann@example.com', username: 'Ann <script>', link: LINK };

test('NodemailerMailer delivers over SMTP: subject, plain text with the link alone on a line, escaped HTML', async (t) => {
  const sink = await new SmtpSink().start();
  const mailer = new NodemailerMailer({ url: sink.url, from: 'Contacts <no-reply@app.test>' });
  try {
    await mailer.send(verification);
    const mail = await sink.waitFor('ann@example.com');
    t.is(mail.subject, 'Confirm your email address');
    t.deepEqual(mail.from?.value, [{ name: 'Contacts', address: 'no-reply@app.test' }]);
    t.is(linkIn(mail), LINK);
    t.true(typeof mail.html === 'string' && mail.html.includes(`href="${LINK}"`));
    t.true(typeof mail.html === 'string' && mail.html.includes('Ann &lt;script&gt;') && !mail.html.includes('<script>'));
  } finally {
    mailer.close();
    await sink.stop();
  }
});

test('NodemailerMailer rejects quickly when no SMTP server answers', async (t) => {
  const sink = await new SmtpSink().start();
  const url = sink.url;
  await sink.stop();
  const mailer: Mailer & { close(): void } = new NodemailerMailer({ url, from: 'x@app.test', timeoutMs: 1000 });
  const started = Date.now();
  await t.throwsAsync(mailer.send(verification));
  t.true(Date.now() - started < 5000);
  mailer.close();
});

/** An SMTP server offering STARTTLS (smtp-server's own test certificate) that notes whether each message came over TLS. */
async function startTlsServer(): Promise<{ url: string; received: { to: string; secure: boolean }[]; stop(): Promise<void> }> {
  const received: { to: string; secure: boolean }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), secure: session.secure });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('SMTP_REQUIRE_TLS: a server without STARTTLS is refused and gets nothing; one with STARTTLS gets the email over TLS', async (t) => {
  const plain = await new SmtpSink().start();
  const tls = await startTlsServer();
  const refusing = new NodemailerMailer({ url: plain.url, from: 'x@app.test', timeoutMs: 2000, requireTls: true });
  const upgrading = new NodemailerMailer({ url: tls.url, from: 'x@app.test', timeoutMs: 2000, requireTls: true });
  const lax = new NodemailerMailer({ url: plain.url, from: 'x@app.test', timeoutMs: 2000 });
  try {
    await t.throwsAsync(refusing.send(verification), { message: /STARTTLS/i });
    t.is(plain.messages.length, 0, 'nothing was sent in clear');
    await upgrading.send(verification);
    t.deepEqual(tls.received, [{ to: 'ann@example.com', secure: true }]);
    // Without the setting, the same plain server is used as before.
    await lax.send(verification);
    t.is((await plain.waitFor('ann@example.com')).subject, 'Confirm your email address');
  } finally {
    for (const mailer of [refusing, upgrading, lax]) mailer.close();
    await plain.stop();
    await tls.stop();
  }
});

test('FileOutboxMailer writes a parseable .eml per email and logs where it is, with the link only when asked (development)', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'outbox-'));
  const logger = new CapturingLogger();
  const quiet = new CapturingLogger();
  try {
    await new FileOutboxMailer(dir, 'Contacts <no-reply@app.test>', logger, { logLinks: true }).send(verification);
    await new FileOutboxMailer(dir, 'Contacts <no-reply@app.test>', logger, { logLinks: true }).send({
      kind: 'password-changed',
      to: 'ann@example.com',
      username: 'Ann',
    });
    await new FileOutboxMailer(dir, 'Contacts <no-reply@app.test>', quiet).send(verification);
    t.true(quiet.lines.some((l) => l.message === 'email written to the outbox folder'));
    t.false(
      quiet.lines.some((l) => JSON.stringify(l.fields).includes(LINK)),
      'a link logged outside development',
    );
    const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
    t.is(files.length, 3);
    const mail = await simpleParser(await readFile(path.join(dir, files.find((f) => f.includes('verify-email'))!)));
    t.is(mail.subject, 'Confirm your email address');
    t.is(linkIn(mail), LINK);
    t.truthy(mail.html);
    t.true(logger.lines.some((l) => JSON.stringify(l.fields).includes(LINK)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('both mailers address the stored address as one mailbox, never re-parsed as an address list', async (t) => {
  // Addresses stored before the email grammar was strict could read as two mailboxes to a parser.
  const stored = 'ann@example.com, victim@example.test';
  const sink = await new SmtpSink().start();
  const mailer = new NodemailerMailer({ url: sink.url, from: 'Contacts <no-reply@app.test>' });
  try {
    await mailer.send({ kind: 'password-changed', to: 'plain+tag@example.com', username: 'Ann' });
    t.deepEqual(sink.recipients, [['plain+tag@example.com']]);
    // The SMTP server may refuse such a recipient; what matters is that the victim is never one.
    await mailer.send({ kind: 'password-changed', to: stored, username: 'Ann' }).catch(() => {});
    t.false(sink.recipients.flat().includes('victim@example.test'));
    t.true(sink.recipients.every((rcpts) => rcpts.length === 1));
  } finally {
    mailer.close();
    await sink.stop();
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'outbox-'));
  try {
    await new FileOutboxMailer(dir, 'Contacts <no-reply@app.test>', new CapturingLogger()).send({ kind: 'password-changed', to: stored, username: 'Ann' });
    const [file] = await readdir(dir);
    const mail = await simpleParser(await readFile(path.join(dir, file!)));
    t.false(JSON.stringify(mail.to).includes('"address":"victim@example.test"'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
