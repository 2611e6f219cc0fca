import { analyzeNewness, newnessIndicators, userAgentKey } from '../../lambdas/core/analysis/newness';
import { fakeGeo, PLACES } from './fake-geo';

const CLI = 'aws-cli/2.17.42 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0';
const CLI_UPGRADED = 'aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0';
const ATTACKER_UA = 'python-requests/2.32.3';

describe('newness indicators', () => {
  const geo = fakeGeo();

  it('reports locations, networks and clients the entity did not use in the baseline, with account-wide newness', () => {
    const result = newnessIndicators({
      scope: { sourceIps: { [PLACES.newYork.ip]: 10, [PLACES.singapore.ip]: 3, [PLACES.london.ip]: 1 }, userAgents: { [CLI]: 10, [ATTACKER_UA]: 3 } },
      baseline: { sourceIps: { [PLACES.newYork.ip]: 500 }, userAgents: { [CLI]: 500 } },
      accountBaseline: { sourceIps: [PLACES.london.ip, PLACES.newark.ip], userAgents: [CLI] },
      geo,
    });
    expect(result.geolocations).toEqual([
      { IndicatorType: 'NEW_GEOLOCATION', IndicatorDetail: { NewGeolocationDetail: { Location: 'London, United Kingdom', IpAddress: PLACES.london.ip, IsNewForEntireAccount: false } } },
      { IndicatorType: 'NEW_GEOLOCATION', IndicatorDetail: { NewGeolocationDetail: { Location: 'Singapore, Singapore', IpAddress: PLACES.singapore.ip, IsNewForEntireAccount: true } } },
    ]);
    expect(result.asos).toEqual([
      { IndicatorType: 'NEW_ASO', IndicatorDetail: { NewAsoDetail: { Aso: 'Example Transit', IsNewForEntireAccount: false } } },
      { IndicatorType: 'NEW_ASO', IndicatorDetail: { NewAsoDetail: { Aso: 'Example VPS Hosting', IsNewForEntireAccount: true } } },
    ]);
    expect(result.userAgents).toEqual([{ IndicatorType: 'NEW_USER_AGENT', IndicatorDetail: { NewUserAgentDetail: { UserAgent: ATTACKER_UA, IsNewForEntireAccount: true } } }]);
  });

  it('leaves IsNewForEntireAccount out when there is no account-wide baseline', () => {
    const indicators = analyzeNewness({ scope: { sourceIps: [PLACES.singapore.ip], userAgents: [ATTACKER_UA] }, baseline: { sourceIps: [], userAgents: [] }, geo });
    expect(indicators.map((i) => i.IndicatorType)).toEqual(['NEW_GEOLOCATION', 'NEW_ASO', 'NEW_USER_AGENT']);
    for (const indicator of indicators) expect(JSON.stringify(indicator)).not.toContain('IsNewForEntireAccount');
  });

  it('one NEW_ASO per organisation, but one NEW_GEOLOCATION per address of a new location', () => {
    const result = newnessIndicators({
      scope: { sourceIps: [PLACES.newYork.ip, PLACES.newark.ip], userAgents: [] },
      baseline: { sourceIps: [PLACES.london.ip], userAgents: [] },
      geo,
    });
    expect(result.geolocations.map((i) => i.IndicatorDetail.NewGeolocationDetail.IpAddress)).toEqual([PLACES.newYork.ip, PLACES.newark.ip]);
    expect(result.asos.map((i) => i.IndicatorDetail.NewAsoDetail.Aso)).toEqual(['Example Office ISP']);
  });

  it('compares by country when asked to, so new cities in a known country are not new', () => {
    const options = { locationGranularity: 'country' as const };
    const result = newnessIndicators({ scope: { sourceIps: [PLACES.chicago.ip, PLACES.london.ip], userAgents: [] }, baseline: { sourceIps: [PLACES.boston.ip], userAgents: [] }, geo, options });
    expect(result.geolocations.map((i) => i.IndicatorDetail.NewGeolocationDetail.Location)).toEqual(['United Kingdom']);
  });

  it('never geolocates private or AWS-service callers', () => {
    const result = newnessIndicators({ scope: { sourceIps: ['10.0.0.8', 'ec2.amazonaws.com', 'AWS Internal'], userAgents: [] }, baseline: { sourceIps: [], userAgents: [] }, geo });
    expect(result.geolocations).toEqual([]);
    expect(result.asos).toEqual([]);
  });

  it('ignores AWS services as user agents, and can compare clients by product only', () => {
    const base = { baseline: { sourceIps: [], userAgents: [CLI] }, geo };
    expect(newnessIndicators({ ...base, scope: { sourceIps: [], userAgents: ['AWS Internal', 'cloudformation.amazonaws.com'] } }).userAgents).toEqual([]);
    expect(newnessIndicators({ ...base, scope: { sourceIps: [], userAgents: [CLI_UPGRADED] } }).userAgents).toHaveLength(1);
    expect(newnessIndicators({ ...base, scope: { sourceIps: [], userAgents: [CLI_UPGRADED] }, options: { userAgentMatch: 'product' } }).userAgents).toEqual([]);
    expect(userAgentKey('Boto3/1.35.36 md/Botocore#1.35.36', 'product')).toBe('boto3');
  });

  it('a city-less (country-level) record is not new when the country was seen at city level', () => {
    const result = newnessIndicators({ scope: { sourceIps: [PLACES.usCentroid.ip, PLACES.chicago.ip], userAgents: [] }, baseline: { sourceIps: [PLACES.newYork.ip], userAgents: [] }, geo });
    expect(result.geolocations.map((i) => i.IndicatorDetail.NewGeolocationDetail.Location)).toEqual(['Chicago, United States']);
  });

  it('a location without a city counts at country level', () => {
    const result = newnessIndicators({ scope: { sourceIps: [PLACES.countryOnly.ip], userAgents: [] }, baseline: { sourceIps: [], userAgents: [] }, geo });
    expect(result.geolocations.map((i) => i.IndicatorDetail.NewGeolocationDetail.Location)).toEqual(['Netherlands']);
  });
});
