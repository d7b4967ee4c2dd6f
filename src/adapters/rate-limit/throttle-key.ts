import { createHash } from 'node:crypto';

/** A fixed-size digest of client input (an email, an IP), used as a key in every limiter: 22 characters whatever the input. */
export function throttleDigest(input: string): string {
  return createHash('sha256').update(input).digest('base64url').slice(0, 22);
}
