import ipaddr from 'ipaddr.js';
import { parseIp } from './ip-address';

export { parseIp } from './ip-address';

/**
 * What the analyzers need to know about a caller's address, behind an interface so that the analysis stays
 * pure: the adapter (lambdas/adapters/geo) implements GeoLookup over MaxMind-format databases, and tests use
 * a deterministic fake.
 */

export interface GeoLocation {
  /** ISO 3166-1 alpha-2. */
  countryCode?: string;
  countryName?: string;
  /** First-level subdivision (state, region), when the database has one. */
  region?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  /** MaxMind's radius of uncertainty around latitude/longitude, in km (official GeoIP2/GeoLite2 layout only). */
  accuracyRadiusKm?: number;
}

export interface AutonomousSystem {
  number: number;
  organization?: string;
}

/** Synchronous on purpose: the adapter opens its databases once and lookups are in-memory tree walks. */
export interface GeoLookup {
  /** Undefined when the database has no record for the address. Callers only pass public addresses. */
  location(ip: string): GeoLocation | undefined;
  autonomousSystem(ip: string): AutonomousSystem | undefined;
}

/** A GeoLookup that knows nothing: for deployments without databases, and as a safe default. */
export const NO_GEO: GeoLookup = {
  location: () => undefined,
  autonomousSystem: () => undefined,
};

/**
 * What a CloudTrail `sourceIPAddress` is. CloudTrail writes a service's DNS name (`ec2.amazonaws.com`) when a
 * service calls on the customer's behalf, and `AWS Internal` for some internal calls; calls through a VPC
 * endpoint carry the caller's private address. None of those say where a person was, so only `public` (and
 * `documentation`, see below) addresses are ever geolocated.
 */
export type SourceKind =
  | 'public'
  /** RFC 5737 / RFC 3849 documentation ranges: routable nowhere, no database has them; geolocated so tests and examples can use them safely. */
  | 'documentation'
  | 'private'
  | 'carrier-grade-nat'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  /** Unspecified, broadcast, multicast, benchmarking and other reserved ranges. */
  | 'reserved'
  /** `<service>.amazonaws.com` (or another AWS service host name). */
  | 'aws-service'
  /** `AWS Internal`. */
  | 'aws-internal'
  /** Neither an address nor a known AWS form. */
  | 'unknown';

export interface SourceClassification {
  kind: SourceKind;
  /** The address in canonical form (IPv4-mapped IPv6 turned into IPv4), when the source is an address. */
  ip?: string;
}

const DOCUMENTATION_RANGES: [ipaddr.IPv4 | ipaddr.IPv6, number][] = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'].map((cidr) =>
  ipaddr.parseCIDR(cidr),
);

const RANGE_KINDS: Record<string, SourceKind> = {
  unicast: 'public',
  // Translation and tunnelling prefixes still route to a real host somewhere on the internet.
  rfc6052: 'public',
  rfc6145: 'public',
  '6to4': 'public',
  teredo: 'public',
  private: 'private',
  carrierGradeNat: 'carrier-grade-nat',
  loopback: 'loopback',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
};

const AWS_SERVICE_HOST = /^[a-z0-9.-]+\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com|aws\.internal)$/i;

export function classifySource(source: string): SourceClassification {
  const trimmed = source.trim();
  const address = parseIp(trimmed);
  if (!address) {
    if (/^aws internal$/i.test(trimmed)) return { kind: 'aws-internal' };
    if (AWS_SERVICE_HOST.test(trimmed)) return { kind: 'aws-service' };
    return { kind: 'unknown' };
  }
  const ip = address.toString();
  if (DOCUMENTATION_RANGES.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits))) return { kind: 'documentation', ip };
  return { kind: RANGE_KINDS[address.range()] ?? 'reserved', ip };
}

export function isGeolocatable(kind: SourceKind): boolean {
  return kind === 'public' || kind === 'documentation';
}

let regionNames: Intl.DisplayNames | undefined;

/** English country name from an ISO code, from the runtime's ICU data (Node ships full ICU). */
export function countryNameOf(code: string): string | undefined {
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
    const name = regionNames.of(code.toUpperCase());
    return name && name !== code.toUpperCase() ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How finely "a geolocation" is told apart for NEW_GEOLOCATION: `city` (Detective's map shows cities) or
 * `country` (quieter for users whose ISP addresses geolocate to many cities).
 */
export type LocationGranularity = 'city' | 'country';

/** Stable key of a location at a granularity; undefined when the location has nothing at that level. */
export function locationKey(location: GeoLocation, granularity: LocationGranularity): string | undefined {
  const country = location.countryCode?.toUpperCase();
  if (!country) return undefined;
  if (granularity === 'country' || !location.city) return country;
  return `${country}|${location.region ?? ''}|${location.city}`;
}

/** Human-readable location, as Detective shows it: "City, Country" or just the country. */
export function locationLabel(location: GeoLocation): string | undefined {
  const country = location.countryName ?? (location.countryCode ? (countryNameOf(location.countryCode) ?? location.countryCode.toUpperCase()) : undefined);
  const parts = [location.city, country].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** Label of an autonomous system for NEW_ASO: its organisation name, else `AS<number>`. */
export function asoLabel(as: AutonomousSystem): string {
  return as.organization?.trim() || `AS${as.number}`;
}

export interface SourceIntel extends SourceClassification {
  source: string;
  location?: GeoLocation;
  autonomousSystem?: AutonomousSystem;
}

/**
 * Classifies and enriches sources once per analysis: the same address shows up in hundreds of hourly
 * aggregates, and each lookup is a database tree walk.
 */
export class SourceIntelCache {
  private readonly cache = new Map<string, SourceIntel>();

  constructor(private readonly geo: GeoLookup) {}

  of(source: string): SourceIntel {
    let intel = this.cache.get(source);
    if (!intel) {
      const classification = classifySource(source);
      intel = { source, ...classification };
      if (classification.ip && isGeolocatable(classification.kind)) {
        const location = this.geo.location(classification.ip);
        const as = this.geo.autonomousSystem(classification.ip);
        if (location) intel.location = location;
        if (as) intel.autonomousSystem = as;
      }
      this.cache.set(source, intel);
    }
    return intel;
  }
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km (haversine, mean Earth radius). */
export function haversineKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
