import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** A fixed-size digest of client input (an email, an IP), used as a key in every limiter: 22 characters whatever the input. */
export function throttleDigest(input: string): string {
  return createHash('sha256').update(input).digest('base64url').slice(0, 22);
}

/**
 * Whose budget a client address spends in every per-IP limit: an IPv4 address is its own client; an
 * IPv6 address counts as its /64 prefix (one host is routinely given a whole /64, so counting per
 * address would hand it 2^64 budgets), written `xxxx:xxxx:xxxx:xxxx::/64` whatever the spelling
 * (leading zeros, `::`, upper case, a zone id). An IPv4-mapped address (`::ffff:1.2.3.4`, what a
 * dual-stack socket reports for an IPv4 client) is that IPv4 address. Anything else is returned as
 * given (it is digested like any key).
 */
export function clientIpKey(ip: string): string {
  if (isIPv4(ip)) return ip;
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  if (!isIPv6(address)) return ip;
  const groups = ipv6Groups(address.toLowerCase());
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an address `isIPv6` accepted (no zone id). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [Number.parseInt(group, 16)];
      const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const gap = address.indexOf('::');
  if (gap === -1) return parse(address);
  const head = parse(address.slice(0, gap));
  const tail = parse(address.slice(gap + 2));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}
