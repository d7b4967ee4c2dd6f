import { createHash, randomBytes } from 'node:crypto';

/** The longest name an app password may have, in characters. */
export const APP_PASSWORD_NAME_MAX = 50;

/**
 * Crockford's base32 alphabet: 32 symbols, so each is 5 random bits, without i, l, o and u (which
 * read as 1, 1, 0 or an obscenity). A secret is 5 groups of 4 of them: 20 × 5 = 100 random bits,
 * shown lowercase with dashes ("k3fq-9x2m-…") so that it is easy to read aloud and type on a phone.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 5;
const GROUP_LENGTH = 4;
const SYMBOLS = GROUPS * GROUP_LENGTH;
/** Random bits in a secret. */
export const APP_PASSWORD_BITS = SYMBOLS * Math.log2(ALPHABET.length);

/** A new secret from the CSPRNG, as the owner sees it once. */
export function newAppPasswordSecret(): string {
  // 256 is a multiple of 32: the low five bits of a random byte are uniform.
  const symbols = [...randomBytes(SYMBOLS)].map((byte) => ALPHABET[byte & 31]);
  const groups: string[] = [];
  for (let i = 0; i < SYMBOLS; i += GROUP_LENGTH) groups.push(symbols.slice(i, i + GROUP_LENGTH).join(''));
  return groups.join('-');
}

// A typed secret is short; anything much longer is not one and is not worth reading.
const MAX_TYPED_LENGTH = 100;
const LOOKALIKES: Record<string, string> = { o: '0', i: '1', l: '1' };

/**
 * The canonical form of what a client sent as an app password: lowercase, without the dashes and
 * spaces it may have been typed with, look-alike letters read as the digits they stand for (as
 * Crockford's base32 decodes them). Null when it cannot be one of ours (then no lookup is made).
 */
export function canonicalAppPassword(typed: string): string | null {
  if (typed.length > MAX_TYPED_LENGTH) return null;
  let canonical = '';
  for (const char of typed.toLowerCase()) {
    if (char === '-' || char === ' ') continue;
    const symbol = LOOKALIKES[char] ?? char;
    if (!ALPHABET.includes(symbol)) return null;
    canonical += symbol;
  }
  return canonical.length === SYMBOLS ? canonical : null;
}

/**
 * What is stored of a secret, and looked up by: the SHA-256 of its canonical form. A fast hash is
 * enough because the secret has 100 random bits; see docs/decisions/app-passwords.md.
 */
export function hashAppPassword(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}
