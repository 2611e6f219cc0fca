import ipaddr from 'ipaddr.js';
import { parseIp } from '../analysis/ip-address';
import { globMatcher, hasWildcard, type Matcher } from './glob';

/**
 * How an IP_ADDRESS query matches: a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) by range, an address by value
 * (so `::ffff:10.0.0.1` finds `10.0.0.1` and IPv6 matches whatever its spelling), anything else as a glob on
 * the address as CloudTrail wrote it (`192.168.10.*`).
 */
export function parseCidr(query: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const slash = query.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIp(query.slice(0, slash));
  const bitsText = query.slice(slash + 1);
  if (!address || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  // A mapped IPv6 block (::ffff:10.0.0.0/104) is the IPv4 block it contains.
  const mappedShift = address.kind() === 'ipv4' && query.includes(':') ? 96 : 0;
  const prefix = bits - mappedShift;
  if (prefix < 0 || prefix > (address.kind() === 'ipv4' ? 32 : 128)) return undefined;
  return [address, prefix];
}

export function isCidrQuery(query: string): boolean {
  return parseCidr(query) !== undefined;
}

export function ipMatcher(query: string): Matcher {
  const cidr = parseCidr(query);
  if (cidr) {
    const [network, prefix] = cidr;
    return (value) => {
      const address = parseIp(value);
      return address !== undefined && address.kind() === network.kind() && address.match(network, prefix);
    };
  }
  const exact = hasWildcard(query) ? undefined : parseIp(query);
  if (exact) return (value) => parseIp(value)?.toNormalizedString() === exact.toNormalizedString() && parseIp(value)?.kind() === exact.kind();
  return globMatcher(query);
}
