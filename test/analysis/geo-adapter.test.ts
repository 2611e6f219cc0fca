import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AsnRangeTable, DatabaseGeoLookup, geoDatabasesFromEnv, geoLookupFromEnv, MmdbFile, normalizeAsnRecord, normalizeCityRecord, packagedGeoDatabases } from '../../lambdas/adapters/geo';
import { NO_GEO } from '../../lambdas/core/analysis/geo';

describe('record layouts', () => {
  it('reads MaxMind official GeoIP2/GeoLite2 City records', () => {
    const record = {
      city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
      country: { iso_code: 'GB', names: { en: 'United Kingdom' } },
      subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }],
      location: { latitude: 51.5142, longitude: -0.0931, accuracy_radius: 20, time_zone: 'Europe/London' },
    };
    expect(normalizeCityRecord(record)).toEqual({
      countryCode: 'GB',
      countryName: 'United Kingdom',
      region: 'England',
      city: 'London',
      latitude: 51.5142,
      longitude: -0.0931,
      accuracyRadiusKm: 20,
    });
  });

  it('falls back to registered_country for official records without a country', () => {
    expect(normalizeCityRecord({ registered_country: { iso_code: 'US', names: { en: 'United States' } }, location: { latitude: 37.751, longitude: -97.822 } })).toMatchObject({
      countryCode: 'US',
      countryName: 'United States',
    });
  });

  it('reads ip-location-db flat records, naming the country from its code', () => {
    expect(normalizeCityRecord({ city: 'Bracknell', country_code: 'GB', latitude: 51.4, longitude: -0.76, postcode: 'RG12', state1: 'England', state2: '', timezone: 'Europe/London' })).toEqual({
      countryCode: 'GB',
      countryName: 'United Kingdom',
      region: 'England',
      city: 'Bracknell',
      latitude: 51.4,
      longitude: -0.76,
    });
    expect(normalizeCityRecord({ city: '', country_code: 'US', latitude: 37.75, longitude: -97.82, state1: '' })).toEqual({
      countryCode: 'US',
      countryName: 'United States',
      latitude: 37.75,
      longitude: -97.82,
    });
  });

  it('rejects records with nothing usable', () => {
    expect(normalizeCityRecord(null)).toBeUndefined();
    expect(normalizeCityRecord({ city: 'x' })).toBeUndefined();
    expect(normalizeCityRecord('GB')).toBeUndefined();
  });

  it('reads ASN records of both layouts', () => {
    expect(normalizeAsnRecord({ autonomous_system_number: 15169, autonomous_system_organization: 'Google LLC' })).toEqual({ number: 15169, organization: 'Google LLC' });
    expect(normalizeAsnRecord({ autonomous_system_number: 64512 })).toEqual({ number: 64512 });
    expect(normalizeAsnRecord({})).toBeUndefined();
  });
});

describe('ASN range tables', () => {
  it('reads numeric and address CSV, quoted organisations, unsorted rows', () => {
    const table = AsnRangeTable.fromCsv(
      ['3232235776,3232236031,64500,"Example, Inc."', '16777216,16777471,64501,Plain Org', '# comment', 'garbage'].join('\n'),
    );
    expect(table.size).toBe(2);
    expect(table.lookup(16777300)).toEqual({ number: 64501, organization: 'Plain Org' });
    expect(table.lookup(3232235777)).toEqual({ number: 64500, organization: 'Example, Inc.' });
    expect(table.lookup(16777472)).toBeUndefined();
    const v6 = AsnRangeTable.fromCsv('2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64502,"Say ""hi"" Ltd"\r\n');
    expect(v6.lookup(BigInt('0x20010db8000000000000000000000001'))).toEqual({ number: 64502, organization: 'Say "hi" Ltd' });
  });
});

describe('packaged databases (real data)', () => {
  // Assertions are country and ASN only, never city: they hold across database updates.
  const geo = new DatabaseGeoLookup(packagedGeoDatabases());

  it('geolocates public resolvers to their country and autonomous system', () => {
    expect(geo.location('8.8.8.8')?.countryCode).toBe('US');
    expect(geo.location('8.8.8.8')?.countryName).toBe('United States');
    expect(geo.location('8.8.8.8')?.latitude).toEqual(expect.any(Number));
    expect(geo.autonomousSystem('8.8.8.8')).toEqual({ number: 15169, organization: expect.stringMatching(/google/i) });
    expect(geo.autonomousSystem('1.1.1.1')).toEqual({ number: 13335, organization: expect.stringMatching(/cloudflare/i) });
    expect(geo.autonomousSystem('9.9.9.9')?.number).toBe(19281);
  });

  it('answers IPv6 addresses from the IPv6 files', () => {
    expect(geo.location('2001:4860:4860::8888')?.countryCode).toBe('US');
    expect(geo.autonomousSystem('2001:4860:4860::8888')?.number).toBe(15169);
  });

  it('has nothing for private or reserved addresses', () => {
    expect(geo.location('10.0.0.1')).toBeUndefined();
    expect(geo.autonomousSystem('192.168.1.1')).toBeUndefined();
    expect(geo.location('not an ip')).toBeUndefined();
  });
});

describe('configuration', () => {
  it('uses the packaged databases by default and "none" switches a lookup off', () => {
    expect(geoDatabasesFromEnv({}).city).toHaveLength(2);
    expect(geoDatabasesFromEnv({}).asnCsv).toHaveLength(1);
    const off = geoDatabasesFromEnv({ GEOIP_CITY_DB: 'none', GEOIP_ASN_DB: 'none' });
    expect([off.city.length, off.asnMmdb.length, off.asnCsv.length]).toEqual([0, 0, 0]);
    expect(geoLookupFromEnv({ GEOIP_CITY_DB: 'none', GEOIP_ASN_DB: 'none' })).toBe(NO_GEO);
  });

  it('keeps one lookup per configuration for the whole process', () => {
    expect(geoLookupFromEnv({})).toBe(geoLookupFromEnv({}));
  });

  it('reads user-supplied files: a (gzipped) mmdb for cities and a CSV for ASNs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geo-'));
    const packagedV4 = packagedGeoDatabases().city[0].path;
    const gz = join(dir, 'city.mmdb.gz');
    writeFileSync(gz, gzipSync(readFileSync(packagedV4)));
    const csv = join(dir, 'asn.csv');
    writeFileSync(csv, '8.8.8.0,8.8.8.255,64999,Test Override Org\n');
    const geo = geoLookupFromEnv({ GEOIP_CITY_DB: gz, GEOIP_ASN_DB: csv });
    expect(geo.location('8.8.8.8')?.countryCode).toBe('US');
    expect(geo.autonomousSystem('8.8.8.8')).toEqual({ number: 64999, organization: 'Test Override Org' });
    expect(geo.autonomousSystem('1.1.1.1')).toBeUndefined();
    expect(new MmdbFile(gz).ipVersion).toBe(4);
    // An IPv4-only file is never asked about IPv6 addresses.
    expect(geo.location('2001:4860:4860::8888')).toBeUndefined();
  });
});
