import ipaddr from 'ipaddr.js';

/**
 * The one test of "is this CloudTrail source an IP address". CloudTrail's `sourceIPAddress` also holds
 * `AWS Internal` and service host names (`secretsmanager.amazonaws.com`) when AWS calls on the caller's
 * behalf: those are never addresses, so they never reach an indicator's IpAddress, a count of IPs,
 * geolocation or threat-intel matching. Every analyzer and stage decides through this module.
 */

/** Parses strictly: dotted-quad IPv4 (no `1` or `0x7f000001` forms) or IPv6; IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const value = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value);
  if (ipaddr.IPv6.isValid(value)) {
    const v6 = ipaddr.IPv6.parse(value);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return undefined;
}

export function isIpAddress(source: string | undefined): source is string {
  return typeof source === 'string' && parseIp(source) !== undefined;
}

/** The entries of a source count map whose key is an address (service names and `AWS Internal` left out). */
export function ipAddressCounts(sources: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(sources).filter(([source]) => isIpAddress(source)));
}
