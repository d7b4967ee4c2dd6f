/**
 * The emails the product sends, as data; adapters render them to text and HTML. `userId` names the
 * account an email is about, so a delivery failure can be logged against it (it is never rendered).
 */
export type Email = { userId?: string } & (
  | { kind: 'verify-email'; to: string; username: string; link: string }
  | { kind: 'password-reset'; to: string; username: string; link: string }
  | { kind: 'password-changed'; to: string; username: string }
  /** To the new address: the link that makes the switch. */
  | { kind: 'email-change-confirm'; to: string; username: string; link: string }
  /** Security notices to the current address; `newEmail` is partly masked. */
  | { kind: 'email-change-requested'; to: string; username: string; newEmail: string }
  | { kind: 'email-changed'; to: string; username: string; newEmail: string }
  | { kind: 'account-deleted'; to: string; username: string }
);

export interface Mailer {
  /** Resolves once the message is accepted for delivery; rejects when it could not be. */
  send(email: Email): Promise<void>;
}
