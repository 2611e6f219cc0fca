import { analyzeImpossibleTravel, elapsedUpperBoundMs, impossibleTravelLegs, type TravelActivity } from '../../lambdas/core/analysis/impossible-travel';
import { haversineKm, type GeoLookup } from '../../lambdas/core/analysis/geo';
import { fakeGeo, PLACES } from './fake-geo';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const hour = (subject: string, first: string, last: string, ...ips: string[]): TravelActivity => ({
  subject,
  firstEvent: first,
  lastEvent: last,
  sourceIps: Object.fromEntries(ips.map((ip) => [ip, 1])),
});

describe('elapsed time between observations', () => {
  const exact = (from: string, to: string) => ({ from: at(from), to: at(to), exact: true });
  const vague = (from: string, to: string) => ({ from: at(from), to: at(to), exact: false });

  it('is exact between single-source aggregates: last use at A to first use at B', () => {
    expect(elapsedUpperBoundMs(exact('2026-10-22T10:00:00Z', '2026-10-22T10:04:00Z'), exact('2026-10-22T11:30:00Z', '2026-10-22T11:35:00Z'))).toBe(86 * 60_000);
  });

  it('takes the longest possible time when an address may have been used anywhere in its window', () => {
    // Same hour, several sources: as far apart as the window allows, never zero.
    expect(elapsedUpperBoundMs(vague('2026-10-22T10:05:00Z', '2026-10-22T10:50:00Z'), vague('2026-10-22T10:05:00Z', '2026-10-22T10:50:00Z'))).toBe(45 * 60_000);
    // Different hours: first possible use at A to last possible use at B.
    expect(elapsedUpperBoundMs(vague('2026-10-22T10:00:00Z', '2026-10-22T10:58:00Z'), vague('2026-10-22T11:01:00Z', '2026-10-22T11:59:00Z'))).toBe(119 * 60_000);
    // One exact, one vague: the worst position of the vague use, for the best exact use.
    expect(elapsedUpperBoundMs(exact('2026-10-22T10:00:00Z', '2026-10-22T10:10:00Z'), vague('2026-10-22T11:00:00Z', '2026-10-22T11:30:00Z'))).toBe(80 * 60_000);
  });
});

describe('impossible travel', () => {
  const geo = fakeGeo();

  it('flags New York then London 2 hours later, with Detective fields', () => {
    const indicators = analyzeImpossibleTravel({
      activity: [
        hour('session#ASIA1', '2026-10-22T10:00:00Z', '2026-10-22T10:04:00Z', PLACES.newYork.ip),
        hour('session#ASIA1', '2026-10-22T12:04:00Z', '2026-10-22T12:09:00Z', PLACES.london.ip),
      ],
      geo,
    });
    expect(indicators).toEqual([
      {
        IndicatorType: 'IMPOSSIBLE_TRAVEL',
        IndicatorDetail: {
          ImpossibleTravelDetail: {
            StartingIpAddress: PLACES.newYork.ip,
            EndingIpAddress: PLACES.london.ip,
            StartingLocation: 'New York, United States',
            EndingLocation: 'London, United Kingdom',
            HourlyTimeDelta: 2,
          },
        },
      },
    ]);
  });

  it('does not flag the same trip when a flight fits in the time', () => {
    const activity = [hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:04:00Z', PLACES.newYork.ip), hour('s', '2026-10-22T17:00:00Z', '2026-10-22T17:05:00Z', PLACES.london.ip)];
    expect(analyzeImpossibleTravel({ activity, geo })).toEqual([]);
  });

  it('ignores nearby places (geolocation noise) however fast', () => {
    const activity = [hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:01:00Z', PLACES.newYork.ip), hour('s', '2026-10-22T10:02:00Z', '2026-10-22T10:03:00Z', PLACES.boston.ip)];
    expect(analyzeImpossibleTravel({ activity, geo })).toEqual([]);
    expect(analyzeImpossibleTravel({ activity, geo, options: { minDistanceKm: 100 } })).toHaveLength(1);
  });

  it('is conservative within one multi-source hour: flags only what even the whole hour cannot explain', () => {
    // Chicago–New York (~1,150 km) in one 58-minute window could be 58 minutes apart: ~1,190 km/h, just impossible.
    const nearish = [hour('s', '2026-10-22T10:01:00Z', '2026-10-22T10:59:00Z', PLACES.newYork.ip, PLACES.chicago.ip)];
    expect(impossibleTravelLegs({ activity: nearish, geo })).toHaveLength(1);
    expect(analyzeImpossibleTravel({ activity: nearish, geo, options: { maxSpeedKmh: 1300 } })).toEqual([]);
    // New York and Singapore in the same hour: impossible whatever the order.
    const far = [hour('s', '2026-10-22T10:01:00Z', '2026-10-22T10:59:00Z', PLACES.newYork.ip, PLACES.singapore.ip)];
    expect(analyzeImpossibleTravel({ activity: far, geo })).toHaveLength(1);
  });

  it('treats each session as its own traveller: one role, two regions at once, is normal', () => {
    const activity = [hour('session#ASIA1', '2026-10-22T10:00:00Z', '2026-10-22T10:05:00Z', PLACES.newYork.ip), hour('session#ASIA2', '2026-10-22T10:02:00Z', '2026-10-22T10:07:00Z', PLACES.frankfurt.ip)];
    expect(analyzeImpossibleTravel({ activity, geo })).toEqual([]);
  });

  it('uses the session-creating event as an exact observation', () => {
    const indicators = analyzeImpossibleTravel({
      activity: [hour('session#ASIA9', '2026-10-22T10:20:00Z', '2026-10-22T10:25:00Z', PLACES.singapore.ip)],
      sessions: [{ sessionId: 'ASIA9', sourceIp: PLACES.london.ip, createdAt: '2026-10-22T10:00:00Z', createdAtSource: 'creation-event' }],
      geo,
    });
    expect(indicators).toHaveLength(1);
    expect(indicators[0].IndicatorDetail.ImpossibleTravelDetail).toMatchObject({ StartingIpAddress: PLACES.london.ip, EndingIpAddress: PLACES.singapore.ip, HourlyTimeDelta: 0.33 });
  });

  it('skips callers that cannot be placed: private, AWS services, unknown to the database, no coordinates', () => {
    const activity = [
      hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:01:00Z', '10.0.0.4'),
      hour('s', '2026-10-22T10:02:00Z', '2026-10-22T10:03:00Z', 'ec2.amazonaws.com'),
      hour('s', '2026-10-22T10:04:00Z', '2026-10-22T10:05:00Z', '203.0.113.250'),
      hour('s', '2026-10-22T10:06:00Z', '2026-10-22T10:07:00Z', PLACES.countryOnly.ip),
      hour('s', '2026-10-22T10:08:00Z', '2026-10-22T10:09:00Z', PLACES.singapore.ip),
    ];
    expect(analyzeImpossibleTravel({ activity, geo })).toEqual([]);
  });

  it('subtracts database accuracy radii from the distance', () => {
    const fuzzy: GeoLookup = {
      location: (ip) => ({ ...(ip === PLACES.newYork.ip ? PLACES.newYork.location : PLACES.chicago.location), accuracyRadiusKm: 400 }),
      autonomousSystem: () => undefined,
    };
    const activity = [hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:01:00Z', PLACES.newYork.ip), hour('s', '2026-10-22T10:10:00Z', '2026-10-22T10:11:00Z', PLACES.chicago.ip)];
    // ~1,150 km minus 800 km of uncertainty is under the 500 km minimum.
    expect(analyzeImpossibleTravel({ activity, geo: fuzzy })).toEqual([]);
    expect(analyzeImpossibleTravel({ activity, geo })).toHaveLength(1);
  });

  it('never compares a country-level record with an address in the same country, and widens its uncertainty', () => {
    const sameCountry = [hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:01:00Z', PLACES.usCentroid.ip), hour('s', '2026-10-22T10:05:00Z', '2026-10-22T10:06:00Z', PLACES.newYork.ip)];
    expect(analyzeImpossibleTravel({ activity: sameCountry, geo })).toEqual([]);
    const abroad = [hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:01:00Z', PLACES.usCentroid.ip), hour('s', '2026-10-22T10:05:00Z', '2026-10-22T10:06:00Z', PLACES.singapore.ip)];
    expect(analyzeImpossibleTravel({ activity: abroad, geo })[0]?.IndicatorDetail.ImpossibleTravelDetail).toMatchObject({ StartingLocation: 'United States', EndingLocation: 'Singapore, Singapore' });
    const [leg] = impossibleTravelLegs({ activity: abroad, geo });
    expect(leg.distanceKm).toBeLessThan(haversineKm(PLACES.usCentroid.location, PLACES.singapore.location) - 999);
  });

  it('reports each address pair once, with its tightest instance, and flapping both ways as two legs', () => {
    const activity = [
      hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:05:00Z', PLACES.newYork.ip),
      hour('s', '2026-10-22T10:30:00Z', '2026-10-22T10:35:00Z', PLACES.london.ip),
      hour('s', '2026-10-22T11:00:00Z', '2026-10-22T11:05:00Z', PLACES.newYork.ip),
      hour('s', '2026-10-22T11:10:00Z', '2026-10-22T11:15:00Z', PLACES.london.ip),
    ];
    const details = analyzeImpossibleTravel({ activity, geo }).map((i) => i.IndicatorDetail.ImpossibleTravelDetail);
    expect(details.map((d) => [d.StartingIpAddress, d.EndingIpAddress, d.HourlyTimeDelta])).toEqual([
      // Ordered by when the reported (tightest) instance started: London 10:30 → New York 11:00, then New York 11:05 → London 11:10.
      [PLACES.london.ip, PLACES.newYork.ip, 0.42],
      [PLACES.newYork.ip, PLACES.london.ip, 0.08],
    ]);
  });

  it('legs carry distance and speed as evidence', () => {
    const [leg] = impossibleTravelLegs({
      activity: [hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:00:00Z', PLACES.london.ip), hour('s', '2026-10-22T10:30:00Z', '2026-10-22T10:30:00Z', PLACES.frankfurt.ip)],
      geo,
    });
    expect(leg).toMatchObject({ subject: 's', startingIp: PLACES.london.ip, endingIp: PLACES.frankfurt.ip, elapsedHours: 0.5 });
    expect(leg.distanceKm).toBeGreaterThan(600);
    expect(leg.speedKmh).toBeCloseTo(leg.distanceKm * 2, 5);
    // The same trip in an hour is ~640 km/h: possible.
    const slower = [hour('s', '2026-10-22T10:00:00Z', '2026-10-22T10:00:00Z', PLACES.london.ip), hour('s', '2026-10-22T11:00:00Z', '2026-10-22T11:00:00Z', PLACES.frankfurt.ip)];
    expect(impossibleTravelLegs({ activity: slower, geo })).toEqual([]);
    expect(at('2026-10-22T11:00:00Z') - at('2026-10-22T10:00:00Z')).toBe(H);
  });
});
