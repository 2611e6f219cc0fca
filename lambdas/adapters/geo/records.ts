import { countryNameOf, type AutonomousSystem, type GeoLocation } from '../../core/analysis/geo';

/**
 * MaxMind-format databases come in two record layouts, and both are accepted:
 *  - MaxMind's official GeoIP2/GeoLite2 City: `{ country: { iso_code, names: { en } }, city: { names: { en } },
 *    subdivisions: [{ names: { en } }], location: { latitude, longitude, accuracy_radius } }` (registered_country
 *    stands in when an address has no country, e.g. anycast ranges);
 *  - ip-location-db's flat layout: `{ country_code, state1, city, latitude, longitude }`.
 * ASN databases use the same two field names in both (`autonomous_system_number`, `autonomous_system_organization`).
 */

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function englishName(value: unknown): string | undefined {
  return text(obj(obj(value)?.names)?.en);
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function normalizeCityRecord(record: unknown): GeoLocation | undefined {
  const r = obj(record);
  if (!r) return undefined;
  let location: GeoLocation;
  if (obj(r.country) || obj(r.registered_country) || obj(r.location) || obj(r.city)) {
    const country = obj(r.country) ?? obj(r.registered_country);
    const place = obj(r.location);
    const subdivisions = Array.isArray(r.subdivisions) ? r.subdivisions : [];
    location = {
      countryCode: text(country?.iso_code)?.toUpperCase(),
      countryName: englishName(country),
      region: englishName(subdivisions[0]),
      city: englishName(r.city),
      latitude: num(place?.latitude),
      longitude: num(place?.longitude),
      accuracyRadiusKm: num(place?.accuracy_radius),
    };
  } else {
    const countryCode = text(r.country_code)?.toUpperCase();
    location = {
      countryCode,
      countryName: countryCode ? countryNameOf(countryCode) : undefined,
      region: text(r.state1),
      city: text(r.city),
      latitude: num(r.latitude),
      longitude: num(r.longitude),
    };
  }
  if (location.countryCode && !location.countryName) location.countryName = countryNameOf(location.countryCode);
  const cleaned = definedOnly(location);
  // Coordinates alone are not a location we can name or compare by place; a country alone is.
  return cleaned.countryCode || (cleaned.latitude !== undefined && cleaned.longitude !== undefined) ? cleaned : undefined;
}

export function normalizeAsnRecord(record: unknown): AutonomousSystem | undefined {
  const r = obj(record);
  const number = num(r?.autonomous_system_number) ?? (typeof r?.autonomous_system_number === 'string' ? Number(r.autonomous_system_number) : undefined);
  if (number === undefined || !Number.isInteger(number) || number <= 0) return undefined;
  const organization = text(r?.autonomous_system_organization);
  return organization ? { number, organization } : { number };
}
