import ipaddr from 'ipaddr.js';
import { parseIp } from './ip-address';

/**
 * Threat-intel lists in GuardDuty's plain-text (TXT) format: one IPv4/IPv6 address or CIDR range per line.
 * We also accept what such files carry in practice: blank lines, `#` comment lines, trailing `#` comments, a
 * UTF-8 BOM and CRLF line ends. A bad line is reported and skipped, never fatal: one typo in a 50,000-line
 * feed must not switch the whole feed off.
 */

export interface ThreatIntelEntry {
  /** Canonical `network/prefix` (single addresses become /32 or /128). */
  cidr: string;
  /** 1-based line in the source text. */
  line: number;
}

export interface ThreatIntelParseError {
  line: number;
  text: string;
  reason: string;
}

export interface ThreatIntelList {
  name: string;
  entries: ThreatIntelEntry[];
  errors: ThreatIntelParseError[];
}

export interface ThreatIntelMatch {
  ip: string;
  listName: string;
  /** The list entry that contains the address (the most specific one when several do). */
  cidr: string;
}

function parseEntry(token: string): { address: ipaddr.IPv4 | ipaddr.IPv6; prefix: number } | string {
  const slash = token.indexOf('/');
  if (slash < 0) {
    const address = parseIp(token);
    if (!address) return 'not an IP address or CIDR range';
    return { address, prefix: address.kind() === 'ipv4' ? 32 : 128 };
  }
  const addressText = token.slice(0, slash);
  const prefixText = token.slice(slash + 1);
  const address = parseIp(addressText);
  if (!address || !/^\d{1,3}$/.test(prefixText)) return 'not an IP address or CIDR range';
  // An IPv4-mapped IPv6 range (::ffff:a.b.c.d/1xx) is an IPv4 range: parseIp already turned the address into IPv4.
  let prefix = Number(prefixText);
  if (address.kind() === 'ipv4' && ipaddr.IPv6.isValid(addressText) && prefix >= 96) prefix -= 96;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (prefix > max) return `prefix length /${prefix} is longer than /${max}`;
  // /0 would flag every caller: almost certainly a mistake in a threat list, so refuse it loudly.
  if (prefix === 0) return 'a /0 range matches every address';
  return { address, prefix };
}

function networkOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  if (prefix === (address.kind() === 'ipv4' ? 32 : 128)) return address.toString();
  const text = `${address.toString()}/${prefix}`;
  return address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text).toString() : ipaddr.IPv6.networkAddressFromCIDR(text).toString();
}

export function parseThreatIntelList(text: string, listName: string): ThreatIntelList {
  const entries: ThreatIntelEntry[] = [];
  const errors: ThreatIntelParseError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;
    const parsed = parseEntry(content);
    if (typeof parsed === 'string') {
      errors.push({ line, text: raw.trim().slice(0, 200), reason: parsed });
      return;
    }
    entries.push({ cidr: `${networkOf(parsed.address, parsed.prefix)}/${parsed.prefix}`, line });
  });
  return { name: listName, entries, errors };
}

/**
 * Matches addresses against any number of lists. Entries are indexed by (family, prefix length, network
 * address), so a lookup masks the address once per prefix length that occurs in the lists (at most 33 for
 * IPv4, 129 for IPv6, usually a handful) and does a hash lookup for each: independent of list size.
 */
export class ThreatIntelMatcher {
  /** family → prefix length → network address → list names. */
  private readonly index: Record<'ipv4' | 'ipv6', Map<number, Map<string, Set<string>>>> = { ipv4: new Map(), ipv6: new Map() };
  /** Prefix lengths present, longest first, so the first hit is the most specific entry. */
  private prefixes: Record<'ipv4' | 'ipv6', number[]> = { ipv4: [], ipv6: [] };
  private entryCount = 0;

  constructor(lists: readonly ThreatIntelList[] = []) {
    for (const list of lists) this.add(list);
  }

  add(list: ThreatIntelList): this {
    for (const entry of list.entries) {
      // Entries are canonical `network/prefix` strings (parseThreatIntelList wrote them): split, do not re-parse.
      const slash = entry.cidr.lastIndexOf('/');
      const key = entry.cidr.slice(0, slash);
      const prefix = Number(entry.cidr.slice(slash + 1));
      const family = key.includes(':') ? 'ipv6' : 'ipv4';
      let byNetwork = this.index[family].get(prefix);
      if (!byNetwork) this.index[family].set(prefix, (byNetwork = new Map()));
      let names = byNetwork.get(key);
      if (!names) byNetwork.set(key, (names = new Set()));
      if (!names.has(list.name)) this.entryCount++;
      names.add(list.name);
    }
    this.prefixes = {
      ipv4: [...this.index.ipv4.keys()].sort((a, b) => b - a),
      ipv6: [...this.index.ipv6.keys()].sort((a, b) => b - a),
    };
    return this;
  }

  get size(): number {
    return this.entryCount;
  }

  /** Every list that contains the address (one match per list, its most specific entry). Non-addresses match nothing. */
  match(source: string): ThreatIntelMatch[] {
    const address = parseIp(source);
    if (!address) return [];
    const family = address.kind();
    const ip = address.toString();
    const matches: ThreatIntelMatch[] = [];
    const seen = new Set<string>();
    for (const prefix of this.prefixes[family]) {
      const names = this.index[family].get(prefix)?.get(networkOf(address, prefix));
      if (!names) continue;
      for (const listName of names) {
        if (seen.has(listName)) continue;
        seen.add(listName);
        matches.push({ ip, listName, cidr: `${networkOf(address, prefix)}/${prefix}` });
      }
    }
    return matches;
  }
}
