/** The emails the product sends, as data; adapters render them to text and HTML. */
export type Email =
  | { kind: 'verify-email'; to: string; username: string; link: string }
  | { kind: 'password-reset'; to: string; username: string; link: string }
  | { kind: 'password-changed'; to: string; username: string };

export interface Mailer {
  /** Resolves once the message is accepted for delivery; rejects when it could not be. */
  send(email: Email): Promise<void>;
}
