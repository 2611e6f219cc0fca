import type { AutonomousSystem, GeoLocation, GeoLookup } from '../../lambdas/core/analysis/geo';

/**
 * A deterministic GeoLookup over documentation addresses (RFC 5737 / RFC 3849), so tests never depend on a
 * database's contents. Coordinates are the real cities', to make distances meaningful.
 */
export const PLACES = {
  newYork: { ip: '203.0.113.10', location: { countryCode: 'US', countryName: 'United States', region: 'New York', city: 'New York', latitude: 40.7128, longitude: -74.006 } },
  newark: { ip: '203.0.113.20', location: { countryCode: 'US', countryName: 'United States', region: 'New Jersey', city: 'Newark', latitude: 40.7357, longitude: -74.1724 } },
  boston: { ip: '192.0.2.10', location: { countryCode: 'US', countryName: 'United States', region: 'Massachusetts', city: 'Boston', latitude: 42.3601, longitude: -71.0589 } },
  chicago: { ip: '192.0.2.20', location: { countryCode: 'US', countryName: 'United States', region: 'Illinois', city: 'Chicago', latitude: 41.8781, longitude: -87.6298 } },
  london: { ip: '198.51.100.10', location: { countryCode: 'GB', countryName: 'United Kingdom', region: 'England', city: 'London', latitude: 51.5074, longitude: -0.1278 } },
  singapore: { ip: '198.51.100.20', location: { countryCode: 'SG', countryName: 'Singapore', city: 'Singapore', latitude: 1.2903, longitude: 103.8519 } },
  frankfurt: { ip: '2001:db8::10', location: { countryCode: 'DE', countryName: 'Germany', region: 'Hesse', city: 'Frankfurt am Main', latitude: 50.1109, longitude: 8.6821 } },
  /** Country-level record: no city, the country's centroid as coordinates (as GeoLite2 gives for many cloud ranges). */
  usCentroid: { ip: '192.0.2.30', location: { countryCode: 'US', countryName: 'United States', latitude: 37.751, longitude: -97.822 } },
  /** Known country, no city and no coordinates. */
  countryOnly: { ip: '198.51.100.30', location: { countryCode: 'NL', countryName: 'Netherlands' } },
} satisfies Record<string, { ip: string; location: GeoLocation }>;

export const NETWORKS: Record<string, AutonomousSystem> = {
  [PLACES.newYork.ip]: { number: 64500, organization: 'Example Office ISP' },
  [PLACES.newark.ip]: { number: 64500, organization: 'Example Office ISP' },
  [PLACES.boston.ip]: { number: 64501, organization: 'Example Home Broadband' },
  [PLACES.chicago.ip]: { number: 64501, organization: 'Example Home Broadband' },
  [PLACES.london.ip]: { number: 64502, organization: 'Example Transit' },
  [PLACES.singapore.ip]: { number: 64503, organization: 'Example VPS Hosting' },
  [PLACES.frankfurt.ip]: { number: 64504 },
};

export function fakeGeo(): GeoLookup & { lookups: string[] } {
  const byIp = new Map(Object.values(PLACES).map((p) => [p.ip, p.location as GeoLocation]));
  const lookups: string[] = [];
  return {
    lookups,
    location(ip) {
      lookups.push(ip);
      return byIp.get(ip);
    },
    autonomousSystem(ip) {
      return NETWORKS[ip];
    },
  };
}
