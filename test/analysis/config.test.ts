import { analysisConfigFromEnv, baselineIsMature, baselineWindow, DEFAULT_BASELINE_DAYS } from '../../lambdas/core/analysis/config';

describe('analysis configuration', () => {
  it('defaults to Detective: a 45-day baseline, 1000 km/h, 500 km', () => {
    expect(analysisConfigFromEnv({})).toEqual({
      baselineDays: 45,
      minBaselineDays: 14,
      impossibleTravel: { maxSpeedKmh: 1000, minDistanceKm: 500, countryLevelRadiusKm: 1000 },
      newness: { locationGranularity: 'city', userAgentMatch: 'exact', ignoreAwsServiceUserAgents: true },
    });
  });

  it('reads overrides and rejects nonsense', () => {
    const config = analysisConfigFromEnv({ BASELINE_DAYS: '30', IMPOSSIBLE_TRAVEL_MAX_SPEED_KMH: '900', NEW_GEOLOCATION_GRANULARITY: 'country', NEW_USER_AGENT_MATCH: 'product' });
    expect(config.baselineDays).toBe(30);
    expect(config.impossibleTravel.maxSpeedKmh).toBe(900);
    expect(config.newness.locationGranularity).toBe('country');
    expect(config.newness.userAgentMatch).toBe('product');
    expect(() => analysisConfigFromEnv({ BASELINE_DAYS: '-1' })).toThrow(/BASELINE_DAYS/);
    expect(() => analysisConfigFromEnv({ NEW_GEOLOCATION_GRANULARITY: 'street' })).toThrow(/city, country/);
  });

  it('the baseline is the N days before the scope start', () => {
    expect(baselineWindow('2026-10-22T00:00:00Z')).toEqual({ from: '2026-09-07T00:00:00.000Z', to: '2026-10-22T00:00:00.000Z' });
    expect(baselineWindow('2026-10-22T00:00:00Z', 7).from).toBe('2026-10-15T00:00:00.000Z');
    expect(DEFAULT_BASELINE_DAYS).toBe(45);
    expect(() => baselineWindow('yesterday')).toThrow();
  });

  it('needs two weeks of history before newness means anything', () => {
    expect(baselineIsMature('2026-10-22T00:00:00Z', '2026-10-01T00:00:00Z')).toBe(true);
    expect(baselineIsMature('2026-10-22T00:00:00Z', '2026-10-15T00:00:00Z')).toBe(false);
    expect(baselineIsMature('2026-10-22T00:00:00Z', undefined)).toBe(false);
  });
});
