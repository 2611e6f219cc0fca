import { asoLabel, classifySource, countryNameOf, haversineKm, isGeolocatable, locationKey, locationLabel, SourceIntelCache } from '../../lambdas/core/analysis/geo';
import { fakeGeo, PLACES } from './fake-geo';

describe('classifySource', () => {
  it.each([
    ['8.8.8.8', 'public', '8.8.8.8'],
    ['2001:4860:4860::8888', 'public', '2001:4860:4860::8888'],
    ['10.1.2.3', 'private', '10.1.2.3'],
    ['172.20.0.9', 'private', '172.20.0.9'],
    ['192.168.0.1', 'private', '192.168.0.1'],
    ['100.64.12.1', 'carrier-grade-nat', '100.64.12.1'],
    ['127.0.0.1', 'loopback', '127.0.0.1'],
    ['::1', 'loopback', '::1'],
    ['169.254.169.254', 'link-local', '169.254.169.254'],
    ['fe80::1', 'link-local', 'fe80::1'],
    ['fd12:3456::1', 'unique-local', 'fd12:3456::1'],
    ['203.0.113.9', 'documentation', '203.0.113.9'],
    ['2001:db8::1', 'documentation', '2001:db8::1'],
    ['0.0.0.0', 'reserved', '0.0.0.0'],
    ['240.0.0.1', 'reserved', '240.0.0.1'],
    ['::ffff:10.0.0.1', 'private', '10.0.0.1'],
    ['::ffff:8.8.4.4', 'public', '8.8.4.4'],
  ])('%s is %s', (source, kind, ip) => {
    expect(classifySource(source)).toEqual({ kind, ip });
  });

  it.each([
    ['ec2.amazonaws.com', 'aws-service'],
    ['cloudformation.amazonaws.com', 'aws-service'],
    ['AWS Internal', 'aws-internal'],
    ['aws internal', 'aws-internal'],
    ['example.org', 'unknown'],
    ['1', 'unknown'],
    ['', 'unknown'],
  ])('%s is %s and has no address', (source, kind) => {
    expect(classifySource(source)).toEqual({ kind });
  });

  it('only public and documentation addresses are geolocated', () => {
    expect(isGeolocatable('public')).toBe(true);
    expect(isGeolocatable('documentation')).toBe(true);
    for (const kind of ['private', 'carrier-grade-nat', 'loopback', 'link-local', 'unique-local', 'reserved', 'aws-service', 'aws-internal', 'unknown'] as const) {
      expect(isGeolocatable(kind)).toBe(false);
    }
  });
});

describe('SourceIntelCache', () => {
  it('looks each source up once and never geolocates private or AWS callers', () => {
    const geo = fakeGeo();
    const intel = new SourceIntelCache(geo);
    expect(intel.of(PLACES.london.ip).location?.city).toBe('London');
    expect(intel.of(PLACES.london.ip).autonomousSystem?.number).toBe(64502);
    intel.of('10.0.0.5');
    intel.of('ec2.amazonaws.com');
    intel.of('AWS Internal');
    expect(geo.lookups).toEqual([PLACES.london.ip]);
  });
});

describe('locations', () => {
  it('labels as "City, Country", or the country alone', () => {
    expect(locationLabel(PLACES.london.location)).toBe('London, United Kingdom');
    expect(locationLabel({ countryCode: 'NL' })).toBe('Netherlands');
    expect(locationLabel({})).toBeUndefined();
  });

  it('keys by city or by country', () => {
    expect(locationKey(PLACES.newYork.location, 'city')).toBe('US|New York|New York');
    expect(locationKey(PLACES.newYork.location, 'country')).toBe('US');
    expect(locationKey({ countryCode: 'nl' }, 'city')).toBe('NL');
    expect(locationKey({ city: 'Nowhere' }, 'city')).toBeUndefined();
  });

  it('names countries from ISO codes', () => {
    expect(countryNameOf('DE')).toBe('Germany');
    expect(countryNameOf('sg')).toBe('Singapore');
  });

  it('labels autonomous systems by organisation, else by number', () => {
    expect(asoLabel({ number: 15169, organization: 'Google LLC' })).toBe('Google LLC');
    expect(asoLabel({ number: 64504 })).toBe('AS64504');
  });

  it('measures great-circle distances', () => {
    // London–New York is about 5,570 km; New York–Newark about 14 km.
    expect(haversineKm(PLACES.london.location, PLACES.newYork.location)).toBeCloseTo(5570, -1);
    expect(haversineKm(PLACES.newYork.location, PLACES.newark.location)).toBeLessThan(20);
    expect(haversineKm(PLACES.london.location, PLACES.london.location)).toBe(0);
  });
});
