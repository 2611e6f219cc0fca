import { Reason, type FlaggedIpAddressIndicator } from './detective-types';
import { isIpAddress } from './ip-address';
import type { ThreatIntelMatch, ThreatIntelMatcher } from './threat-intel';

/**
 * FLAGGED_IP_ADDRESS: addresses the entity used in scope that a threat-intel list names.
 *
 * Detective's only Reason value is AWS_THREAT_INTELLIGENCE, and Reason must be one of Detective's values, so
 * every flag carries it even though the list is the customer's (the same lists GuardDuty accepts as threat
 * lists). Which list and which entry matched is returned by `matchScopeIps` as evidence beside the indicator.
 */

export interface FlaggedIpInput {
  /** Source addresses seen in scope: the keys of ActivityTotals.sourceIps, session source IPs, … Non-addresses are ignored. */
  sourceIps: Iterable<string>;
  matcher: ThreatIntelMatcher;
}

/** Every (address, list) match, sorted by address then list, one per distinct address and list. */
export function matchScopeIps(input: FlaggedIpInput): ThreatIntelMatch[] {
  const byKey = new Map<string, ThreatIntelMatch>();
  for (const source of input.sourceIps) {
    if (!isIpAddress(source)) continue;
    for (const match of input.matcher.match(source)) byKey.set(`${match.ip}\u0000${match.listName}`, match);
  }
  return [...byKey.values()].sort((a, b) => a.ip.localeCompare(b.ip) || a.listName.localeCompare(b.listName));
}

/** One indicator per flagged address, whatever the number of lists naming it. */
export function flaggedIpIndicators(matches: readonly ThreatIntelMatch[]): FlaggedIpAddressIndicator[] {
  const ips = [...new Set(matches.map((match) => match.ip))].sort();
  return ips.map((ip) => ({
    IndicatorType: 'FLAGGED_IP_ADDRESS',
    IndicatorDetail: { FlaggedIpAddressDetail: { IpAddress: ip, Reason: Reason.AWS_THREAT_INTELLIGENCE } },
  }));
}

export function analyzeFlaggedIps(input: FlaggedIpInput): FlaggedIpAddressIndicator[] {
  return flaggedIpIndicators(matchScopeIps(input));
}
