import type { Email, Mailer } from '../../src/application/ports/mailer.js';
import { type ContractSubject, contractTest } from './harness.js';

/** What arrived at the destination: the recipient and the link standing alone on a line of the text. */
export interface Arrived {
  to: string;
  link: string | undefined;
}

/** A Mailer with a view of its destination, and a way to make that destination fail. */
export interface MailerUnderTest {
  mailer: Mailer;
  arrived(): Promise<Arrived[]>;
  /** Makes the destination unavailable, then available again. */
  breakDown(): Promise<void>;
  recover(): Promise<void>;
  close(): Promise<void>;
}

/** The line of a plain-text body that holds only a link, as a reader's mail client would show it. */
export const linkLine = (text: string | undefined) => (text ?? '').split('\n').find((line) => /^https?:\/\/\S+$/.test(line));

const verify = (to: string): Email => ({ kind: 'verify-email', to, username: 'Zoë', link: `http://app.test/account/verify-email?token=${to.length}abc` });

/** What every Mailer promises: send resolves once the email is there, and rejects when it cannot be. */
export function mailerContract(subject: ContractSubject<MailerUnderTest>): void {
  const it = contractTest(subject);

  it('send resolves once the email is at its destination, with its link alone on a line', async (t, subject) => {
    await subject.mailer.send(verify('ann@example.com'));
    await subject.mailer.send({ kind: 'password-changed', to: 'bob@example.com', username: 'Bob' });
    const arrived = (await subject.arrived()).sort((a, b) => a.to.localeCompare(b.to));
    t.deepEqual(arrived, [
      { to: 'ann@example.com', link: 'http://app.test/account/verify-email?token=15abc' },
      { to: 'bob@example.com', link: undefined },
    ]);
  });

  it('send rejects while the destination is unavailable, and works again once it is back', async (t, subject) => {
    await subject.breakDown();
    await t.throwsAsync(subject.mailer.send(verify('ann@example.com')));
    t.deepEqual(await subject.arrived(), []);
    await subject.recover();
    await subject.mailer.send(verify('ann@example.com'));
    t.is((await subject.arrived()).length, 1);
  });
}
