import { analyzeFlaggedIps, matchScopeIps } from '../../lambdas/core/analysis/flagged-ips';
import { parseThreatIntelList, ThreatIntelMatcher } from '../../lambdas/core/analysis/threat-intel';

describe('flagged IP addresses', () => {
  const matcher = new ThreatIntelMatcher([
    parseThreatIntelList('198.51.100.0/24\n2001:db8:bad::/48\n', 'team-blocklist'),
    parseThreatIntelList('198.51.100.20\n', 'vendor-feed'),
  ]);

  it('flags each listed address once, with Detective reason AWS_THREAT_INTELLIGENCE', () => {
    const indicators = analyzeFlaggedIps({ sourceIps: ['203.0.113.10', '198.51.100.20', '2001:db8:bad::1', 'ec2.amazonaws.com', '198.51.100.20'], matcher });
    expect(indicators).toEqual([
      { IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorDetail: { FlaggedIpAddressDetail: { IpAddress: '198.51.100.20', Reason: 'AWS_THREAT_INTELLIGENCE' } } },
      { IndicatorType: 'FLAGGED_IP_ADDRESS', IndicatorDetail: { FlaggedIpAddressDetail: { IpAddress: '2001:db8:bad::1', Reason: 'AWS_THREAT_INTELLIGENCE' } } },
    ]);
  });

  it('keeps which list and entry matched as evidence', () => {
    expect(matchScopeIps({ sourceIps: new Set(['198.51.100.20']), matcher })).toEqual([
      { ip: '198.51.100.20', listName: 'team-blocklist', cidr: '198.51.100.0/24' },
      { ip: '198.51.100.20', listName: 'vendor-feed', cidr: '198.51.100.20/32' },
    ]);
  });

  it('flags nothing with no lists', () => {
    expect(analyzeFlaggedIps({ sourceIps: ['198.51.100.20'], matcher: new ThreatIntelMatcher() })).toEqual([]);
  });
});
