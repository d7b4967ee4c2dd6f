import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Email } from '../../../src/application/ports/mailer.js';
import { FileOutboxMailer } from '../../../src/adapters/mail/file-outbox-mailer.js';
import { NodemailerMailer } from '../../../src/adapters/mail/nodemailer-mailer.js';
import { CapturingLogger, CapturingMailer } from '../../fakes/fakes.js';
import { TestSmtpServer } from '../../helpers/smtp.js';
import type { ContractSubject } from '../../contracts/harness.js';
import { linkLine, type MailerUnderTest, mailerContract } from '../../contracts/mailer.contract.js';

const subjects: ContractSubject<MailerUnderTest>[] = [
  {
    name: 'capturing fake',
    async open() {
      const mailer = new CapturingMailer();
      return {
        mailer,
        arrived: async () => mailer.sent.map((e) => ({ to: e.to, link: 'link' in e ? e.link : undefined })),
        breakDown: async () => {
          mailer.failing = true;
        },
        recover: async () => {
          mailer.failing = false;
        },
        close: async () => {},
      };
    },
  },
  {
    name: 'nodemailer over SMTP',
    async open() {
      const smtp = new TestSmtpServer();
      await smtp.start();
      const mailer = new NodemailerMailer({ url: smtp.url, from: 'Contacts <no-reply@app.test>', timeoutMs: 2000 });
      return {
        mailer,
        arrived: async () => smtp.received.map((m) => ({ to: [m.to].flat()[0]!.value[0]!.address!, link: linkLine(m.text) })),
        breakDown: () => smtp.stop(),
        recover: () => smtp.start(),
        close: async () => {
          mailer.close();
          await smtp.stop();
        },
      };
    },
  },
  {
    name: 'file outbox',
    async open() {
      const root = await mkdtemp(path.join(tmpdir(), 'outbox-'));
      const directory = path.join(root, 'outbox');
      const mailer = new FileOutboxMailer(directory, 'Contacts <no-reply@app.test>', new CapturingLogger());
      return {
        mailer,
        async arrived() {
          const files = (await readdir(directory).catch(() => [])).filter((f) => f.endsWith('.eml')).sort();
          const parsed = await Promise.all(files.map(async (f) => simpleParser(await readFile(path.join(directory, f)))));
          return parsed.map((m) => ({ to: [m.to].flat()[0]!.value[0]!.address!, link: linkLine(m.text) }));
        },
        // A file where the folder should be: nothing can be written there.
        async breakDown() {
          await rm(directory, { recursive: true, force: true });
          await writeFile(directory, 'not a folder');
        },
        recover: () => rm(directory, { force: true }),
        close: () => rm(root, { recursive: true, force: true }),
      };
    },
  },
];

for (const subject of subjects) mailerContract({ ...subject, close: (opened) => opened.close() });

const verify = (to: string): Email => ({ kind: 'verify-email', to, username: 'Zoë', link: `http://app.test/account/verify-email?token=${to.length}abc` });

test('an SMTP server that accepts the connection but never greets is given up on within the timeout', async (t) => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((socket) => void sockets.push(socket));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  const mailer = new NodemailerMailer({ url: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`, from: 'a@app.test', timeoutMs: 300 });
  try {
    const started = Date.now();
    await t.throwsAsync(mailer.send(verify('ann@example.com')));
    // Bounded by the timeout (300 ms), not by the operating system's TCP timeouts (minutes).
    t.true(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
  } finally {
    mailer.close();
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('SMTP emails carry an HTML part with the same link, from MAIL_FROM', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start();
  const mailer = new NodemailerMailer({ url: smtp.url, from: 'Contacts <no-reply@app.test>' });
  try {
    await mailer.send({ kind: 'password-reset', to: 'ann@example.com', username: 'Ann <3', link: 'http://app.test/account/reset-password?token=a&b' });
    const [mail] = smtp.to('ann@example.com');
    t.is(mail?.subject, 'Reset your password');
    t.is(mail?.from?.value[0]?.address, 'no-reply@app.test');
    const html = typeof mail?.html === 'string' ? mail.html : '';
    t.true(html.includes('href="http://app.test/account/reset-password?token=a&amp;b"'));
    t.true(html.includes('Ann &lt;3'));
  } finally {
    mailer.close();
    await smtp.stop();
  }
});
